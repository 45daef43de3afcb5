import AomiAPI
import AomiArchive
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import Logging
import Replayer
import TestSupport
import Testing

/// A browser's cross-origin calls through the three parts: the simulator answers preflights
/// and marks its answers for other origins, the recorder passes and records them untouched,
/// and the replay answers a recorded preflight as recorded and any other by its `--cors`.
@Suite struct CORSThroughTheLoopTests {
    static let page = "http://localhost:3000"

    struct Answer {
        let status: Int
        let fields: [(String, String)]
        func values(_ name: String) -> [String] { fields.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
    }

    func send(_ url: String, method: String, headers: [(String, String)]) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .RAW(value: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 4 << 20)
        return Answer(status: Int(response.status.code), fields: response.headers.map { ($0.name, $0.value) })
    }

    func preflight(_ url: String, origin: String = page) async throws -> Answer {
        try await send(
            url, method: "OPTIONS",
            headers: [("Origin", origin), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "x-session-id,x-api-key")])
    }

    @Test func theSimulatorAnswersPreflightsAndMarksItsAnswersForAnyOriginOrTheNamedOnes() async throws {
        let open = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router())
        let named = try await ApplicationServer.start(
            router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast(cors: SimulatorCORS(origins: [Self.page])))).router())
        defer {
            Task {
                await open.stop()
                await named.stop()
            }
        }

        let answered = try await preflight(open.baseURL + "/api/chat?message=hi")
        #expect(answered.status == 204)
        #expect(answered.values("Access-Control-Allow-Origin") == ["*"])
        #expect(answered.values("Access-Control-Allow-Headers") == ["x-session-id,x-api-key"])
        #expect(answered.values("Access-Control-Allow-Methods").first?.contains("POST") == true)
        let state = try await send(open.baseURL + "/api/state", method: "GET", headers: [("Origin", Self.page), ("X-Session-Id", "cors-1")])
        #expect(state.status == 200 && state.values("Access-Control-Allow-Origin") == ["*"])
        let noOrigin = try await send(open.baseURL + "/api/state", method: "GET", headers: [("X-Session-Id", "cors-1")])
        #expect(noOrigin.values("Access-Control-Allow-Origin").isEmpty, "a request that is not cross-origin gets no CORS field")

        #expect(try await preflight(named.baseURL + "/api/chat").values("Access-Control-Allow-Origin") == [Self.page])
        let stranger = try await preflight(named.baseURL + "/api/chat", origin: "http://evil.example")
        #expect(stranger.status == 204 && stranger.values("Access-Control-Allow-Origin").isEmpty, "the browser refuses it")
        let strangerState = try await send(named.baseURL + "/api/state", method: "GET", headers: [("Origin", "http://evil.example"), ("X-Session-Id", "cors-2")])
        #expect(strangerState.values("Access-Control-Allow-Origin").isEmpty)
    }

    @Test(.timeLimit(.minutes(10)))
    func preflightsAreRecordedAndReplayedAsRecordedOthersAnsweredByThePolicy() async throws {
        let fixture = try await RecordingFixture.start(recorderID: "cors")
        defer { fixture.remove() }
        let recorder = fixture.server.baseURL
        let through = try await preflight(recorder + "/api/chat?message=hi&client_id=c1")
        #expect(through.status == 204 && through.values("Access-Control-Allow-Origin") == ["*"], "the recorder passes the preflight and its answer untouched")
        let created = try await send(
            recorder + "/api/sessions", method: "POST", headers: [("Origin", Self.page), ("X-Session-Id", "cors-s"), ("Content-Type", "application/json")])
        #expect(created.values("Access-Control-Allow-Origin") == ["*"])
        try await fixture.stop()
        let archive = try RecordedArchive.load(files: try RecordedArchive.archiveFiles(under: fixture.root))
        let recordedMethods = archive.sessions.flatMap(\.exchanges).map(\.request.method)
        #expect(recordedMethods.contains("OPTIONS") && recordedMethods.contains("POST"), "\(recordedMethods)")

        let quiet = Logger(label: "cors", factory: { _ in SwiftLogNoOpLogHandler() })
        let engine = ReplayEngine(archive: archive, configuration: ReplayConfiguration(checkKeys: false, cors: .loopback), logger: quiet)
        let replay = try await ReplayServer(engine: engine, logger: quiet).start()
        defer { Task { await replay.stop() } }
        let replayed = try await preflight(replay.baseURL + "/api/chat?message=hi&client_id=c2")
        #expect(replayed.status == 204 && replayed.values("Access-Control-Allow-Origin") == ["*"], "the recorded preflight, as recorded")
        let unknown = try await preflight(replay.baseURL + "/api/interrupt")
        #expect(unknown.status == 204 && unknown.values("Access-Control-Allow-Origin") == [Self.page], "the replay's own loopback policy")
        #expect(engine.status()["misses"] == .number(0), "a preflight the recording lacks is no miss")
        let session = try await send(
            replay.baseURL + "/api/sessions", method: "POST", headers: [("Origin", Self.page), ("X-Session-Id", "cors-new"), ("Content-Type", "application/json")])
        #expect(session.status == 200)
        #expect(session.values("Access-Control-Allow-Origin") == [Self.page], "one Access-Control-Allow-Origin: the replay's, not the recorded * beside it")
    }
}
