import AomiAPI
import AomiArchive
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Replayer
import Testing

/// SSE events are released causally: never before the requests that preceded them.
@Suite("Replayed updates streams")
struct ReplayStreamTests {
    @Test("an event recorded after the last chat message is not sent before the replayed client sends it", .timeLimit(.minutes(10)))
    func eventsWaitForTheirRequests() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 1, messages: 3)
        defer { recording.remove() }
        let session = try #require(recording.archive.sessions.first)
        let chats = session.exchanges.filter { $0.request.path == AomiPath.chat }
        try #require(chats.count == 3)
        // The third message asks for a swap: its turn raises a wallet request, announced over SSE.
        let lastChat = chats[2]
        let allEvents = session.exchanges.flatMap { exchange -> [RecordedEvent] in
            if case let .stream(stream) = exchange.answer { return stream.events }
            return []
        }
        let eventsBefore = allEvents.filter { $0.date < lastChat.request.date }.count
        try #require(eventsBefore < allEvents.count, "the recording has events after the second chat message")

        let (server, _) = try await recording.serve()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let fresh = UUID().uuidString.lowercased()
        let collector = EventCounter()
        var stream: Task<Void, Never>?
        func send(_ exchange: RecordedExchange) async throws {
            let headers = exchange.request.fields.filter { !["host", "content-length"].contains($0.name.lowercased()) }
                .map { $0.name.lowercased() == "x-session-id" ? ($0.name, fresh) : ($0.name, $0.value) }
            if exchange.isUpdates {
                guard stream == nil else { return }
                var request = HTTPClientRequest(url: server.baseURL + exchange.request.target)
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                let response = try await client.execute(request, timeout: .seconds(120))
                stream = Task { await collector.read(response.body) }
                return
            }
            let answer = try await client.send(
                HTTPMethod(rawValue: exchange.request.method), server.baseURL + exchange.request.target, headers: headers,
                body: exchange.request.body.isEmpty ? nil : exchange.request.body)
            #expect(answer.header("X-Aomi-Replay") == "hit", "\(exchange.request.method) \(exchange.request.target)")
        }
        for exchange in session.exchanges where exchange.sequence < lastChat.sequence {
            try await send(exchange)
        }
        // Everything due arrives (however long that takes), then nothing more while the client
        // waits: the 300 ms are a lower bound, a slow machine can only make an early event
        // less likely to be caught, never fail a replay that holds it back.
        while await collector.events < eventsBefore { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(300))
        let beforeLastMessage = await collector.events
        for exchange in session.exchanges where exchange.sequence >= lastChat.sequence {
            try await send(exchange)
        }
        while await collector.events < allEvents.count { try await Task.sleep(for: .milliseconds(10)) }
        let atEnd = await collector.events
        stream?.cancel()
        try await client.shutdown()
        await server.stop()
        #expect(beforeLastMessage == eventsBefore)
        #expect(atEnd == allEvents.count)
        let received = await collector.text
        #expect(received.contains(fresh))
        #expect(!received.contains(session.id), "recorded session ids in events are rewritten to the client's")
    }

    @Test("--clock recorded holds each answer for its recorded server time, scaled by --speed", .timeLimit(.minutes(10)))
    func recordedClockWaits() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 1, messages: 1)
        defer { recording.remove() }
        let session = try #require(recording.archive.sessions.first)
        let (server, _) = try await recording.serve(ReplayConfiguration(clock: .recorded, speed: 0.5))
        let elapsed = try await timeToReplay(session, on: server.baseURL)
        await server.stop()
        let serverTime = session.exchanges.filter { !$0.isUpdates }.reduce(Int64(0)) { total, exchange in
            total + exchange.answer.head.date.microsecondsSince1970 - exchange.request.date.microsecondsSince1970
        }
        // Every answer waits at least its recorded server time divided by the speed: a lower
        // bound the replay guarantees however fast the machine is.
        #expect(serverTime > 0)
        #expect(elapsed >= .microseconds(serverTime * 2))
    }

    private func timeToReplay(_ session: RecordedSession, on base: String) async throws -> Duration {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let started = ContinuousClock.now
        do {
            for exchange in session.exchanges where !exchange.isUpdates {
                _ = try await client.send(asRecorded: exchange, to: base)
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        let elapsed = ContinuousClock.now - started
        try await client.shutdown()
        return elapsed
    }
}

/// Counts the SSE events (blank-line separated) read from a stream.
actor EventCounter {
    private(set) var text = ""

    var events: Int { text.components(separatedBy: "\n\n").count - 1 }

    func read(_ body: HTTPClientResponse.Body) async {
        do {
            for try await part in body { text += String(decoding: part.readableBytesView, as: UTF8.self) }
        } catch {}
    }
}
