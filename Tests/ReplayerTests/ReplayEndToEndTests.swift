import AomiAPI
import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Replayer
import Testing

/// Record driven traffic, replay it, drive the same conversations again with fresh session ids.
@Suite("Replay end to end")
struct ReplayEndToEndTests {
    @Test("driving the recorded conversations again with fresh session ids sees what the recording saw")
    func replayedConversationsMatchTheRecording() async throws {
        let recording = try await RecordedReplay.record(wallets: 2, threads: 2, messages: 3)
        defer { recording.remove() }
        #expect(recording.recorded.errors.isEmpty)
        let (server, engine) = try await recording.serve()
        let replayed = try await RecordedReplay.drive(server.baseURL, wallets: 2, threads: 2, messages: 3, concurrency: 4)
        await server.stop()
        #expect(replayed.errors.isEmpty)
        #expect(replayed.threads.map(SeenThread.init) == recording.recorded.threads.map(SeenThread.init))
        #expect(Set(replayed.threads.map(\.sessionID)).isDisjoint(with: recording.recorded.threads.map(\.sessionID)))
        #expect(replayed.threads.allSatisfy { $0.title != nil && !$0.events.isEmpty && $0.messages.count >= 6 })
        #expect(replayed.threads.allSatisfy { $0.listedInThreads }, "the thread list, asked without X-Session-Id, names the client's own session ids")
        #expect(engine.status()["misses"] == .number(0))
    }

    @Test("a second client after a reset, with session ids of its own, sees its own ids in the answers made once for the first")
    func answersMadeOnceCarryEachClientsOwnSessionIDs() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 2, messages: 2)
        defer { recording.remove() }
        let (server, _) = try await recording.serve()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let first = try await RecordedReplay.drive(server.baseURL, wallets: 1, threads: 2, messages: 2, concurrency: 2)
        _ = try await client.send(.POST, server.baseURL + "/_replay/reset", headers: [("Content-Type", "application/json")])
        let second = try await RecordedReplay.drive(server.baseURL, wallets: 1, threads: 2, messages: 2, concurrency: 2)
        try await client.shutdown()
        await server.stop()
        #expect(first.errors.isEmpty && second.errors.isEmpty, "\(first.errors) \(second.errors)")
        #expect(Set(first.threads.map(\.sessionID)).isDisjoint(with: second.threads.map(\.sessionID)))
        #expect(second.threads.allSatisfy { $0.listedInThreads }, "the thread list names the second client's session ids, not the first's")
        #expect(second.threads.map(SeenThread.init) == first.threads.map(SeenThread.init))
    }

    @Test("the same requests replayed twice, with a reset between, give byte-identical answers")
    func replayIsDeterministic() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 1, messages: 2)
        defer { recording.remove() }
        let (server, _) = try await recording.serve()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let session = try #require(recording.archive.sessions.first)
        let state = try #require(session.exchanges.last { $0.request.path == "/api/state" }?.request.target)
        func replayAll() async throws -> [RawAnswer] {
            var answers: [RawAnswer] = []
            for exchange in session.exchanges where !exchange.isUpdates {
                answers.append(try await client.send(asRecorded: exchange, to: server.baseURL))
            }
            for _ in 0..<3 {
                answers.append(try await client.send(.GET, server.baseURL + state, headers: [("X-Session-Id", session.id)]))
            }
            return answers
        }
        let first = try await replayAll()
        _ = try await client.send(.POST, server.baseURL + "/_replay/reset", headers: [("Content-Type", "application/json")])
        let second = try await replayAll()
        try await client.shutdown()
        await server.stop()
        #expect(first.count > 5)
        #expect(first == second)
        #expect(first.allSatisfy { $0.header("X-Aomi-Replay") == "hit" })
    }

    @Test("a miss in the middle of a session leaves its place: the requests after it get the answers they would have had")
    func aMissKeepsTheSessionsPlace() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 1, messages: 2)
        defer { recording.remove() }
        let (server, _) = try await recording.serve()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let session = try #require(recording.archive.sessions.first)
        let requests = session.exchanges.filter { !$0.isUpdates }
        func replayAll(missAfter: Int?) async throws -> [RawAnswer] {
            var answers: [RawAnswer] = []
            for (number, exchange) in requests.enumerated() {
                answers.append(try await client.send(asRecorded: exchange, to: server.baseURL))
                if number == missAfter {
                    let miss = try await client.send(.GET, server.baseURL + "/api/never-recorded", headers: [("X-Session-Id", session.id)])
                    #expect(miss.status == 404 && miss.header("X-Aomi-Replay") == "miss")
                }
            }
            return answers
        }
        let withMisses = try await replayAll(missAfter: requests.count / 2)
        _ = try await client.send(.POST, server.baseURL + "/_replay/reset", headers: [("Content-Type", "application/json")])
        let without = try await replayAll(missAfter: nil)
        try await client.shutdown()
        await server.stop()
        #expect(requests.count > 4)
        #expect(withMisses == without)
        #expect(without.allSatisfy { $0.header("X-Aomi-Replay") == "hit" })
    }

    @Test("a request nothing recorded matches gets 404, X-Aomi-Replay: miss, and the nearest recorded requests with what differs")
    func missExplainsItself() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 1, messages: 1)
        defer { recording.remove() }
        let (server, engine) = try await recording.serve()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let session = try #require(recording.archive.sessions.first?.id)
        let answer = try await client.send(
            .POST, server.baseURL + "/api/chat?message=never%20said&public_key=0x0000000000000000000000000000000000000001",
            headers: [("X-Session-Id", session)])
        try await client.shutdown()
        await server.stop()
        #expect(answer.status == 404)
        #expect(answer.header("X-Aomi-Replay") == "miss")
        let body = try JSONCoding.decode(JSONValue.self, from: answer.body)
        #expect(body["request"]?["path"] == .string("/api/chat"))
        let nearest = try #require(body["nearest"]?.arrayValue, "no nearest requests in \(String(decoding: answer.body, as: UTF8.self))")
        #expect((1...3).contains(nearest.count))
        let differences = try #require(nearest.first?["differences"]?.arrayValue, "the nearest request says what differs")
        let text = differences.compactMap(\.stringValue)
        #expect(text.contains { $0.hasPrefix("parameter message: recorded \"") && $0.hasSuffix("sent \"never said\"") })
        #expect(text.contains { $0.hasPrefix("parameter public_key:") })
        #expect(engine.status()["misses"] == .number(1))
    }

    @Test("--strict makes an exhausted queue a miss; without it the last answer repeats")
    func strictExhaustion() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 1, messages: 1)
        defer { recording.remove() }
        let session = try #require(recording.archive.sessions.first)
        let models = try #require(session.exchanges.first { $0.request.path == "/api/control/models" })
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        for strict in [false, true] {
            let (server, _) = try await recording.serve(ReplayConfiguration(strict: strict))
            let first = try await client.send(.GET, server.baseURL + "/api/control/models", headers: [("X-Session-Id", session.id)])
            let again = try await client.send(.GET, server.baseURL + "/api/control/models", headers: [("X-Session-Id", session.id)])
            await server.stop()
            #expect(first.status == UInt(models.answer.head.status))
            if strict {
                #expect(again.status == 404)
                #expect(String(decoding: again.body, as: UTF8.self).contains("--strict"))
            } else {
                #expect(again == first)
            }
        }
        try await client.shutdown()
    }
}
