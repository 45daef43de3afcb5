import AomiAPI
import AomiSimulator
import Foundation
import Testing

/// The `/api/updates` channel: real SSE, per session, many subscribers.
@Suite struct SimulatorUpdatesTests {
    @Test func toolProgressTitleAndPingsArriveAsSSE() async throws {
        let sim = try await SimulatorHarness.start { $0.pingInterval = .milliseconds(20) }
        let (response, stream) = try await sim.subscribe(session: "s")
        var events = stream.makeAsyncIterator()
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"].first == "text/event-stream")
        let (_, otherStream) = try await sim.subscribe(session: "other")
        var otherEvents = otherStream.makeAsyncIterator()
        _ = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("What is the price of ETH?"))", session: "s")
        _ = try await sim.pollUntilDone(session: "s")
        let updates = await collect(&events) { $0.type == UpdateEvent.Kind.titleChanged }
        #expect(updates.map(\.type) == ["tool_update", "tool_update", "tool_update", "tool_complete", "title_changed"])
        #expect(updates.map(\.progress) == [33, 66, 100, nil, nil])
        #expect(updates.allSatisfy { $0.sessionID == "s" })
        #expect(updates.last?.newTitle == "Price ETH")
        // The turn's events came first; the pings go on after it.
        #expect(await readUntilPing(&events).pinged)

        let other = await readUntilPing(&otherEvents)
        #expect(other.pinged)
        #expect(other.updates.isEmpty)
        try await sim.stop()
    }

    @Test func aSubscriberThatDisconnectsDoesNotDisturbOthers() async throws {
        let sim = try await SimulatorHarness.start { $0.pingInterval = .milliseconds(20) }
        let (_, stream) = try await sim.subscribe(session: "s")
        var staying = stream.makeAsyncIterator()
        let leaving = Task {
            let (_, events) = try await sim.subscribe(session: "s")
            for await _ in events { break }
        }
        try await leaving.value
        // Waits for the backend to notice the closed connection, however long that takes.
        while await sim.backend.subscriberCount("s") > 1 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await sim.backend.subscriberCount("s") == 1)
        _ = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("Show me my portfolio"))", session: "s")
        _ = try await sim.pollUntilDone(session: "s")
        let updates = await collect(&staying) { $0.type == UpdateEvent.Kind.titleChanged }
        #expect(updates.map(\.type) == ["tool_update", "tool_update", "tool_update", "tool_complete", "title_changed"])
        try await sim.stop()
    }

    @Test func aStreamWithAnEventLimitEndsAfterItsEvents() async throws {
        let sim = try await SimulatorHarness.start { $0.updatesEventLimit = 2 }
        let (_, events) = try await sim.subscribe(session: "s")
        _ = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("What is the price of ETH?"))", session: "s")
        _ = try await sim.pollUntilDone(session: "s")
        var received: [UpdateEvent] = []
        for await event in events { if let update = event.updateEvent { received.append(update) } }
        #expect(received.map(\.progress) == [33, 66], "the stream ended after its two events")
        try await sim.stop()
    }
}
