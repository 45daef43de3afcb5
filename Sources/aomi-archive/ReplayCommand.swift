import AomiArchive
import ArgumentParser
import Foundation
import HTTPServing
import Logging
import Recorder
import Replayer
import TLSSupport
import Telemetry

/// `aomi-archive replay`: serves recorded sessions over the documented endpoints.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Serve recorded sessions over the Aomi API, deterministically.",
        discussion: """
            Every request takes the next recorded answer for its method, path, parameters and body \
            in its session (the last one repeats; with --strict it is a miss). A session id the \
            archive does not know is aliased to a recorded session not yet taken, narrowed by the \
            requests it makes. SSE events are released once the client has made the requests that \
            preceded them. A miss answers 404 with X-Aomi-Replay: miss and the nearest recorded \
            requests. POST /_replay/reset rewinds everything; GET /_replay/status shows counters.
            """
    )

    @OptionGroup var source: ReplaySource

    @Option(help: "Address to listen on (HOST:PORT).")
    var listen = "127.0.0.1:8788"

    @Option(help: "sequence: events as soon as their preceding requests are made; recorded: also after their recorded delays.")
    var clock: ReplayConfiguration.Clock = .sequence

    @Option(help: "With --clock recorded: 2 plays twice as fast.")
    var speed = 1.0

    @Flag(help: "An exhausted queue is a miss instead of repeating its last answer.")
    var strict = false

    @Flag(inversion: .prefixedNo, help: "Check App keys against the recorded redaction tokens (401/403).")
    var checkKeys = true

    @Option(help: "A request header that takes part in matching (repeatable); by default none does.")
    var matchHeader: [String] = []

    @Option(help: "A query parameter left out of matching and aliased like client_id, which always is (repeatable).")
    var ignoreParam: [String] = []

    @Option(
        help: "A JSON path left out of matching and aliased, in bodies or in a parameter's JSON (message.payload.txHash and .signature, and client_id, always are) (repeatable).")
    var ignoreJson: [String] = []

    @Option(help: "A browser origin allowed to call the replay (repeatable; * for any). Default: loopback origins.")
    var cors: [String] = []

    @Option(help: "A DNS name this replay answers to besides IP addresses and localhost (repeatable); other Hosts get 403.")
    var allowHost: [String] = []

    @Option(help: "Send misses to this live backend instead of answering 404 (https:// verified as with record).")
    var fallback: String?

    @OptionGroup var upstreamTLS: UpstreamTLSOptions

    @OptionGroup var listenerTLS: ListenerTLSOptions

    @Option(help: "With --fallback: record the forwarded exchanges into this archive root, as `record` does.")
    var record: String?

    @OptionGroup var log: LogOptions

    func validate() throws {
        if record != nil, fallback == nil { throw ValidationError("--record needs --fallback") }
        guard (0.01...1000).contains(speed) else { throw ValidationError("--speed must be 0.01 to 1000 (times the recorded pace), not \(speed)") }
    }

    func run() async throws {
        let shutdown = ShutdownSignal.catching()
        let address = try ListenAddress(listen)
        let logger = log.logger(label: "aomi-archive.replay")
        let started = ContinuousClock.now
        let root = source.root
        var configuration = ReplayConfiguration(
            clock: clock, speed: speed, strict: strict, checkKeys: checkKeys,
            cors: CORSPolicy(origins: cors), hosts: HostPolicy(allowing: allowHost), matchHeaders: matchHeader,
            ignoreParameters: ignoreParam, ignoreJSON: ignoreJson)
        let (paths, checkout) = try await source.resolve(command: "replay")
        defer { checkout?.release() }
        let library = try source.library(paths: paths, rules: configuration.matching)
        configuration.metrics = PrometheusMetrics.bootstrap()
        let engine = ReplayEngine(
            library: library,
            configuration: configuration,
            tokens: SecretTokens.load(root: root), logger: logger)
        if checkKeys, !engine.canCheckKeys { logger.info("App keys are not checked: no matching .aomi-archive-key in \(root)") }
        let tls = fallback == nil ? UpstreamTLS.systemTrust : try upstreamTLS.settings()
        let recorder = try await startFallbackRecorder(tls: tls, logger: logger)
        let fallbackTarget = try (recorder?.server.baseURL ?? fallback).map { url throws(ReplayerError) in try ReplayFallback(baseURL: url, tls: tls, logger: logger) }
        let listenerTLS = try listenerTLS.settings()
        let description =
            "serving \(library.sessionCount) sessions, \(library.exchangeCount) exchanges from "
            + "\(library.filesRead) files (loaded in \(Int((ContinuousClock.now - started) / .milliseconds(1))) ms, clock \(clock.rawValue)\(strict ? ", strict" : ""))"
        let announcer = log.announcer(label: "aomi-archive.replay")
        let replay = ServerService {
            let server = try await ReplayServer(engine: engine, fallback: fallbackTarget, logger: logger)
                .start(host: address.host, port: address.port, tls: listenerTLS)
            announcer.notice("listening on \(server.baseURL), \(description)")
            return server
        }
        try await ServerLifecycle.run([replay], until: shutdown, logger: logger)
        await fallbackTarget?.shutdown()
        if let recorder {
            await recorder.server.stop()
            _ = try await recorder.archive.close()
            withExtendedLifetime(recorder.lock) {}
        }
    }

    /// With `--record`, a recorder in front of the fallback on a loopback port.
    private func startFallbackRecorder(tls: UpstreamTLS, logger: Logger) async throws -> (server: ChannelServer, archive: WalletArchive, lock: RecorderLock)? {
        guard let record, let fallback else { return nil }
        let recorderID = "replay-" + RecorderLock.newID()
        let lock = try RecorderLock(id: recorderID, root: record)
        let key = try RedactionKey.loadOrCreate(root: record)
        let archive = WalletArchive(
            settings: .init(
                root: record, recorderID: recorderID,
                info: ArchiveInfo(upstream: fallback, redactionKeyID: key.id, extra: upstreamTLS.warcinfo)))
        let proxy = RecordingProxy(
            configuration: RecorderConfiguration(upstream: fallback, upstreamTLS: tls), archive: archive, redactor: Redactor(key: key),
            logger: logger)
        return (try await proxy.start(), archive, lock)
    }
}

extension ReplayConfiguration.Clock: ExpressibleByArgument {}

extension FileManager {
    func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
