import AomiAPI
import AomiSimulator
import Foundation
import Testing

/// The `/api/updates` channel: real SSE, per session, many subscribers.
@Suite struct SimulatorUpdatesTests {
    @Test func toolProgressTitleAndPingsArriveAsSSE() async throws {
        let sim = try await SimulatorHarness.start { $0.pingInterval = .milliseconds(20) }
        let (response, events) = try await sim.subscribe(session: "s")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"].first == "text/event-stream")
        let (_, otherEvents) = try await sim.subscribe(session: "other")
        _ = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("What is the price of ETH?"))", session: "s")
        let seen = await collect(events) { $0.type == UpdateEvent.Kind.titleChanged }
        let updates = seen.compactMap(\.updateEvent)
        #expect(updates.map(\.type) == ["tool_update", "tool_update", "tool_update", "tool_complete", "title_changed"])
        #expect(updates.map(\.progress) == [33, 66, 100, nil, nil])
        #expect(updates.allSatisfy { $0.sessionID == "s" })
        #expect(updates.last?.newTitle == "Price ETH")
        #expect(seen.contains { $0.isComment && String(decoding: $0.raw, as: UTF8.self) == ": ping\n\n" })

        var others: [UpdateEvent] = []
        for await event in otherEvents {
            if let update = event.updateEvent { others.append(update) }
            if event.isComment { break }
        }
        #expect(others.isEmpty)
        try await sim.stop()
    }

    @Test func aSubscriberThatDisconnectsDoesNotDisturbOthers() async throws {
        let sim = try await SimulatorHarness.start { $0.pingInterval = .milliseconds(20) }
        let (_, staying) = try await sim.subscribe(session: "s")
        let leaving = Task {
            let (_, events) = try await sim.subscribe(session: "s")
            for await _ in events { break }
        }
        try await Task.sleep(for: .milliseconds(100))
        leaving.cancel()
        _ = await leaving.result
        var count = await sim.backend.subscriberCount("s")
        for _ in 0..<100 where count > 1 {
            try await Task.sleep(for: .milliseconds(20))
            count = await sim.backend.subscriberCount("s")
        }
        #expect(count == 1)
        _ = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("Show me my portfolio"))", session: "s")
        let updates = await collect(staying) { $0.type == UpdateEvent.Kind.titleChanged }.compactMap(\.updateEvent)
        #expect(updates.map(\.type) == ["tool_update", "tool_update", "tool_update", "tool_complete", "title_changed"])
        try await sim.stop()
    }
}
