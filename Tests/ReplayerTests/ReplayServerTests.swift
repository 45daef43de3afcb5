import AomiAPI
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import NIOCore
import NIOHTTP1
import NIOPosix
import Replayer
import TestSupport
import Testing

/// The replay server's edges: App keys, CORS, the control endpoints, fallback, bad input.
@Suite("Replay server")
struct ReplayServerTests {
    @Test("a recorded App key must be sent again: none is 401, another is 403, the recorded one is served")
    func appKeysAreChecked() async throws {
        let recording = try await RecordedReplay.record(
            wallets: 1, threads: 1, messages: 1, appKeys: [SimulatorConfiguration.keyedApp: "key-one"],
            appKey: "key-one", app: SimulatorConfiguration.keyedApp)
        defer { recording.remove() }
        #expect(recording.recorded.errors.isEmpty)
        let session = try #require(recording.archive.sessions.first)
        let chat = try #require(session.exchanges.first { $0.request.path == AomiPath.chat })
        let recordedKey = try #require(chat.request.fields.first { $0.name.lowercased() == "x-api-key" }?.value)
        #expect(recordedKey.hasPrefix("redacted:"))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        func chatWith(_ key: String?) async throws -> RawAnswer {
            let (server, _) = try await recording.serve()
            defer { Task { await server.stop() } }
            var headers = [("X-Session-Id", session.id)]
            if let key { headers.append(("X-API-Key", key)) }
            return try await client.send(.POST, server.baseURL + chat.request.target, headers: headers)
        }
        let missing = try await chatWith(nil)
        let wrong = try await chatWith("key-two")
        let right = try await chatWith("key-one")
        let documented = try await chatWith("key-one")
        try await client.shutdown()
        #expect(missing.status == 401)
        #expect(wrong.status == 403)
        #expect(right.status == 200 && right.header("X-Aomi-Replay") == "hit")
        #expect(documented == right)
        #expect(String(decoding: wrong.body, as: UTF8.self).contains("App key"))
    }

    @Test("browsers on loopback origins may use the replay; others get no CORS grant; --cors names more")
    func corsPreflightAndGrants() async throws {
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let session = try #require(recording.archive.sessions.first)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let (server, _) = try await recording.serve()
        let preflight = try await client.send(
            .OPTIONS, server.baseURL + "/api/state",
            headers: [
                ("Origin", "http://localhost:5173"), ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "x-session-id"),
            ])
        let foreign = try await client.send(.OPTIONS, server.baseURL + "/api/state", headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "GET")])
        let models = try await client.send(.GET, server.baseURL + "/api/control/models", headers: [("X-Session-Id", session.id), ("Origin", "http://127.0.0.1:8080")])
        await server.stop()
        let (named, _) = try await recording.serve(ReplayConfiguration(cors: CORSPolicy(origins: ["https://app.aomi.dev"])))
        let allowed = try await client.send(.OPTIONS, named.baseURL + "/api/chat", headers: [("Origin", "https://app.aomi.dev"), ("Access-Control-Request-Method", "POST")])
        let loopbackNow = try await client.send(.OPTIONS, named.baseURL + "/api/chat", headers: [("Origin", "http://localhost:3000"), ("Access-Control-Request-Method", "POST")])
        await named.stop()
        try await client.shutdown()
        #expect(preflight.status == 204)
        #expect(preflight.header("Access-Control-Allow-Origin") == "http://localhost:5173")
        #expect(preflight.header("Access-Control-Allow-Headers") == "x-session-id")
        #expect(foreign.header("Access-Control-Allow-Origin") == nil)
        #expect(models.header("Access-Control-Allow-Origin") == "http://127.0.0.1:8080")
        #expect(models.header("Access-Control-Expose-Headers") == "X-Aomi-Replay")
        #expect(allowed.header("Access-Control-Allow-Origin") == "https://app.aomi.dev")
        #expect(loopbackNow.header("Access-Control-Allow-Origin") == nil)
    }

    @Test("an answer served again is the same bytes, each origin with its own CORS grant")
    func aRepeatedAnswerKeepsEachOriginsGrant() async throws {
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let session = try #require(recording.archive.sessions.first)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let (server, _) = try await recording.serve()
        var answers: [(origin: String?, answer: RawAnswer)] = []
        for origin in ["http://localhost:5173", "http://127.0.0.1:8080", nil, "http://localhost:5173", "https://evil.example"] {
            var headers = [("X-Session-Id", session.id)]
            if let origin { headers.append(("Origin", origin)) }
            answers.append((origin, try await client.send(.GET, server.baseURL + "/api/state", headers: headers)))
        }
        await server.stop()
        try await client.shutdown()
        // The recording polled three times: the last two answers here are its last one served again.
        #expect(answers.allSatisfy { $0.answer.status == 200 && $0.answer.header("X-Aomi-Replay") == "hit" })
        #expect(answers[3].answer.body == answers[2].answer.body && answers[4].answer.body == answers[2].answer.body)
        for (origin, answer) in answers {
            let granted = origin.map { $0.hasPrefix("http://localhost") || $0.hasPrefix("http://127.0.0.1") } ?? false
            #expect(answer.header("Access-Control-Allow-Origin") == (granted ? origin : nil), "\(origin ?? "no origin")")
        }
    }

    @Test("POST /_replay/reset rewinds every cursor and alias; the same conversations replay again")
    func resetReplaysAgain() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 2, messages: 2)
        defer { recording.remove() }
        let (server, engine) = try await recording.serve()
        let first = try await RecordedReplay.drive(server.baseURL, wallets: 1, threads: 2, messages: 2)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let reset = try await client.send(.POST, server.baseURL + "/_replay/reset", headers: [("Content-Type", "application/json")])
        let status = try await client.send(.GET, server.baseURL + "/_replay/status")
        let second = try await RecordedReplay.drive(server.baseURL, wallets: 1, threads: 2, messages: 2)
        try await client.shutdown()
        await server.stop()
        #expect(reset.status == 200)
        #expect(try JSONCoding.decode(JSONValue.self, from: status.body)["aliases"] == .object([:]))
        #expect(first.threads.map(SeenThread.init) == recording.recorded.threads.map(SeenThread.init))
        #expect(second.threads.map(SeenThread.init) == recording.recorded.threads.map(SeenThread.init))
        #expect(engine.status()["misses"] == .number(0))
    }

    @Test("a web page of another origin cannot reset the replay: 403; a reset is a POST with a JSON content type")
    func controlRoutesRefuseForeignOriginsAndForms() async throws {
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let (server, engine) = try await recording.serve()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let session = try #require(recording.archive.sessions.first { !$0.id.isEmpty })
        let models = { try await client.send(.GET, server.baseURL + "/api/control/models", headers: [("X-Session-Id", session.id)]) }
        _ = try await models()
        let evil = [("Origin", "https://evil.example")]
        let formPost = try await client.send(.POST, server.baseURL + "/_replay/reset", headers: evil + [("Content-Type", "text/plain")], body: Array("x".utf8))
        let jsonPost = try await client.send(.POST, server.baseURL + "/_replay/reset", headers: evil + [("Content-Type", "application/json")])
        let peek = try await client.send(.GET, server.baseURL + "/_replay/status", headers: evil)
        let viaHeader = try await client.send(.GET, server.baseURL + "/api/control/models", headers: evil + [("X-Session-Id", session.id), ("X-Aomi-Replay-Reset", "1")])
        let statusAfterEvil = engine.status()
        let plain = try await client.send(.POST, server.baseURL + "/_replay/reset", headers: [("Content-Type", "text/plain")])
        let local = try await client.send(.POST, server.baseURL + "/_replay/reset", headers: [("Origin", "http://localhost:3000"), ("Content-Type", "application/json")])
        try await client.shutdown()
        await server.stop()
        #expect([formPost.status, jsonPost.status, peek.status] == [403, 403, 403])
        #expect(viaHeader.status == 200)
        #expect(statusAfterEvil["hits"] == .number(2), "nothing reset the cursors: \(statusAfterEvil)")
        #expect(plain.status == 415)
        #expect(local.status == 200)
        #expect(engine.status()["hits"] == .number(0))
    }

    @Test("--fallback sends misses to a live backend and marks them; hits still come from the recording")
    func fallbackForwardsMisses() async throws {
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let live = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router())
        let fallback = try ReplayFallback(baseURL: live.baseURL, connectTimeout: .seconds(60), logger: ApplicationServer.quietLogger())
        let (server, _) = try await recording.serve(fallback: fallback)
        let session = try #require(recording.archive.sessions.first)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let unrecorded = try await client.send(.POST, server.baseURL + "/api/chat?message=never%20recorded", headers: [("X-Session-Id", UUID().uuidString)])
        let recorded = try await client.send(.GET, server.baseURL + "/api/control/models", headers: [("X-Session-Id", session.id)])
        try await client.shutdown()
        await server.stop()
        await fallback.shutdown()
        await live.stop()
        #expect(unrecorded.status == 200)
        #expect(unrecorded.header("X-Aomi-Replay") == "fallback")
        #expect(String(decoding: unrecorded.body, as: UTF8.self).contains("never recorded"))
        #expect(recorded.header("X-Aomi-Replay") == "hit")
    }

    @Test("a session id over 256 bytes is a 400; an absolute-form target is matched on its path")
    func oversizedIdsAndAbsoluteTargets() async throws {
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let (server, _) = try await recording.serve()
        let session = try #require(recording.archive.sessions.first { !$0.id.isEmpty }?.id)
        let long = try await RawSocket.exchange(
            port: server.port,
            bytes: Array(
                "GET /api/control/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Session-Id: \(String(repeating: "s", count: 300))\r\n\r\n".utf8))
        let absolute = try await RawSocket.exchange(
            port: server.port,
            bytes: Array(
                "GET http://api.aomi.dev/api/control/models HTTP/1.1\r\nHost: api.aomi.dev\r\nConnection: close\r\nX-Session-Id: \(session)\r\n\r\n".utf8))
        await server.stop()
        #expect(long.hasPrefix("HTTP/1.1 400") && long.contains("over the limit of 256"), "\(long.prefix(200))")
        #expect(absolute.hasPrefix("HTTP/1.1 200") && absolute.contains("X-Aomi-Replay: hit"), "\(absolute.prefix(300))")
    }

    @Test("a body declared over the limit is a 413 at once, without waiting for it", .timeLimit(.minutes(10)))
    func oversizedDeclaredBodies() async throws {
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let (server, _) = try await recording.serve()
        for length in ["9000000000", "90000000", String(Int64.max)] {
            let answer = try await RawSocket.exchange(
                port: server.port, bytes: Array("POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(length)\r\n\r\nabc".utf8))
            #expect(answer.hasPrefix("HTTP/1.1 413") && answer.contains("larger than"), "\(length): \(answer.prefix(200))")
        }
        let status = try await HTTPClient.shared.send(.GET, server.baseURL + "/_replay/status")
        await server.stop()
        #expect(status.status == 200, "the server goes on serving")
    }

    @Test("a malformed request gets 400 and the server goes on serving")
    func malformedRequest() async throws {
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let (server, _) = try await recording.serve()
        let answer = try await RawSocket.exchange(port: server.port, bytes: Array("GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Line\r\n\r\n".utf8))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let status = try await client.send(.GET, server.baseURL + "/_replay/status")
        try await client.shutdown()
        await server.stop()
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request"))
        #expect(status.status == 200)
    }

    @Test("a body whose record can no longer be read is a 500 naming the file, counted as unreadable; it is read again once the file is back")
    func anUnreadableBodyIsAnErrorNotAnEmptyAnswer() async throws {
        let builder = ArchiveBuilder()
        defer { builder.remove() }
        let session = "5f0e4c1a-7d2b-4e8f-9a61-2b3c4d5e6f70"
        let large = JSONCoding.encode(["apps": Array(repeating: "an app with a long description", count: 100)])
        #expect(large.count > 2048)
        try await builder.exchange(session: session, "GET", "/api/control/apps", body: large)
        try await builder.exchange(session: session, "GET", "/api/control/models", body: JSONCoding.encode(["claude-sonnet"]))
        let files = try await builder.close()
        let recording = RecordedReplay(root: builder.root, recorded: DriverReport(threads: [], requests: 0), archive: try await builder.load())
        let file = try #require(files.first)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let (server, engine) = try await recording.serve()
        try FileManager.default.moveItem(atPath: file, toPath: file + ".away")
        let gone = try await client.send(.GET, server.baseURL + "/api/control/apps", headers: [("X-Session-Id", session)])
        let small = try await client.send(.GET, server.baseURL + "/api/control/models", headers: [("X-Session-Id", session)])
        let status = engine.status()
        try FileManager.default.moveItem(atPath: file + ".away", toPath: file)
        _ = try await client.send(.POST, server.baseURL + "/_replay/reset", headers: [("X-Aomi-Replay-Reset", "1")])
        let back = try await client.send(.GET, server.baseURL + "/api/control/apps", headers: [("X-Session-Id", session)])
        await server.stop()
        try await client.shutdown()
        #expect(gone.status == 500)
        #expect(gone.header("X-Aomi-Replay") == "unreadable")
        #expect(String(decoding: gone.body, as: UTF8.self).contains(file), "\(String(decoding: gone.body, as: UTF8.self))")
        #expect(small.status == 200 && small.header("X-Aomi-Replay") == "hit")
        #expect(status["unreadable"] == .number(1))
        #expect(status["hits"] == .number(1))
        #expect(back.status == 200 && back.header("X-Aomi-Replay") == "hit")
        let servedWhole = back.body == large
        #expect(servedWhole, "\(back.body.count) of \(large.count) bytes")
    }
}

/// `--match-header`: named header fields take part in matching, and a difference is explained.
@Suite("Matching on headers")
struct ReplayHeaderMatchingTests {
    @Test("with Accept matched, another Accept is a miss naming the header; without --match-header it is a hit")
    func namedHeaderTakesPart() async throws {
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let session = try #require(recording.archive.sessions.first)
        let models = try #require(session.exchanges.first { $0.request.path == "/api/control/models" })
        let accept = try #require(models.request.fields.first { $0.name.lowercased() == "accept" }?.value)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let (server, _) = try await recording.serve(ReplayConfiguration(matchHeaders: ["Accept"]))
        let same = try await client.send(.GET, server.baseURL + "/api/control/models", headers: [("X-Session-Id", session.id), ("Accept", accept)])
        let other = try await client.send(.GET, server.baseURL + "/api/control/models", headers: [("X-Session-Id", session.id), ("Accept", "text/plain")])
        await server.stop()
        let (lenient, _) = try await recording.serve()
        let ignored = try await client.send(.GET, lenient.baseURL + "/api/control/models", headers: [("X-Session-Id", session.id), ("Accept", "text/plain")])
        await lenient.stop()
        try await client.shutdown()
        #expect(same.header("X-Aomi-Replay") == "hit")
        #expect(other.status == 404)
        #expect(String(decoding: other.body, as: UTF8.self).contains("header accept: recorded"))
        #expect(ignored.header("X-Aomi-Replay") == "hit")
    }
}
