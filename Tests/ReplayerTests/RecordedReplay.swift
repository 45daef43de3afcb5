import AomiAPI
import AomiArchive
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import NIOCore
import NIOHTTP1
import Recorder
import Replayer
import TestSupport

/// Driven simulator traffic recorded by the real recorder into a fresh root, loaded for replay.
struct RecordedReplay {
    let root: String
    let recorded: DriverReport
    let archive: RecordedArchive

    /// Records driven traffic through the shared `RecordingFixture` and loads it for replay.
    static func record(
        wallets: Int = 1, threads: Int = 1, messages: Int = 3, concurrency: Int = 4, seed: UInt64 = 1, appKeys: [String: String] = [:],
        appKey: String? = nil, app: String? = nil
    ) async throws -> RecordedReplay {
        let fixture = try await RecordingFixture.start(simulator: .fast(appKeys: appKeys), recorderID: "replay-test")
        let report = try await fixture.drive(wallets: wallets, threads: threads, messages: messages, concurrency: concurrency, seed: seed, appKey: appKey, app: app)
        try await fixture.stop()
        return RecordedReplay(root: fixture.root, recorded: report, archive: try RecordedArchive.load(files: try RecordedArchive.archiveFiles(under: fixture.root)))
    }

    /// A small archive declared here, not recorded: one session of one wallet with the models
    /// list (requested with `Accept`), a chat, three polls (the last two alike, so a revisit)
    /// and an updates stream of two events. For tests of the replay's edges, which need an
    /// archive but not a conversation.
    static func declared() async throws -> RecordedReplay {
        let builder = ArchiveBuilder()
        let session = "3cc70177-efbf-46b8-8458-00efed327938"
        let wallet = "0xcbd68b388f50bf5f10ec0629199b0ea3a0922f9f"
        let thinking = SessionSnapshot(messages: [ChatMessage(sender: "user", content: "hello")], isProcessing: true)
        let answered = SessionSnapshot(messages: [ChatMessage(sender: "user", content: "hello"), ChatMessage(sender: "agent", content: "Hi there.")], title: "Greeting")
        try await builder.exchange(
            session: session, wallet: wallet, "GET", "/api/control/models", requestHeaders: [("Accept", "application/json")],
            body: JSONCoding.encode(["claude-sonnet", "gpt-5"]))
        try await builder.json(session: session, wallet: wallet, "POST", "/api/chat?message=hello&public_key=\(wallet)", thinking)
        try await builder.stream(
            session: session, wallet: wallet, events: [(.milliseconds(50), "data: {\"type\":\"title_changed\",\"new_title\":\"Greeting\"}\n\n")], end: .clientClosed)
        for snapshot in [thinking, answered, answered] { try await builder.json(session: session, wallet: wallet, "GET", "/api/state", snapshot) }
        try await builder.close()
        return RecordedReplay(root: builder.root, recorded: DriverReport(threads: [], requests: 0), archive: try await builder.load())
    }

    static func drive(
        _ target: String, wallets: Int = 1, threads: Int = 1, messages: Int = 3, concurrency: Int = 4, appKey: String? = nil,
        app: String? = nil
    ) async throws -> DriverReport {
        try await AomiDriver(
            configuration: .fast(
                target: target, wallets: wallets, threads: threads, messages: messages, concurrency: concurrency,
                appKey: appKey, app: app)
        ).run()
    }

    func serve(_ configuration: ReplayConfiguration = ReplayConfiguration(), fallback: ReplayFallback? = nil) async throws -> (server: ChannelServer, engine: ReplayEngine) {
        let engine = ReplayEngine(archive: archive, configuration: configuration, tokens: SecretTokens.load(root: root), logger: ApplicationServer.quietLogger())
        return (try await ReplayServer(engine: engine, fallback: fallback, logger: ApplicationServer.quietLogger()).start(), engine)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// What a thread looked like to the client, without its (fresh) session id and with its
/// transaction hashes and signatures numbered (a new run makes new ones).
struct SeenThread: Equatable {
    var wallet: String
    var thread: Int
    var messages: [TranscriptMessage]
    var title: String?
    var events: [String]
    var walletRequests: [JSONValue]
    var walletOutcomes: [String]
    var listed: Bool

    init(_ seen: ThreadReport) {
        let report = DriverReport(threads: [seen], requests: 0).transcript[0]
        walletOutcomes = report.walletOutcomes
        wallet = report.wallet
        thread = report.thread
        messages = report.messages
        title = report.title
        events = report.events
        walletRequests = report.walletRequests
        listed = report.listedInThreads
    }
}

/// One answer as the client received it: status, header fields in order, body.
struct RawAnswer: Equatable {
    var status: UInt
    var fields: [String]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        fields.first { $0.lowercased().hasPrefix(name.lowercased() + ":") }.map { String($0.drop { $0 != ":" }.dropFirst().drop { $0 == " " }) }
    }
}

extension HTTPClient {
    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> RawAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 64 << 20)
        return RawAnswer(status: response.status.code, fields: response.headers.map { "\($0.name): \($0.value)" }, body: Array(body.readableBytesView))
    }

    /// Sends a recorded request again to the server at `base`, as it was recorded (its own
    /// `Host` and `Content-Length` left to the client).
    func send(asRecorded exchange: RecordedExchange, to base: String) async throws -> RawAnswer {
        let headers = exchange.request.fields.filter { !["host", "content-length"].contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
        return try await send(
            HTTPMethod(rawValue: exchange.request.method), base + exchange.request.target, headers: headers,
            body: exchange.request.body.isEmpty ? nil : exchange.request.body)
    }
}
