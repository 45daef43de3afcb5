import AomiArchive
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import Logging
import Recorder
import TLSSupport

/// The one recording fixture of every test target: a fresh archive root in a temporary folder,
/// the real recorder on a free loopback port in front of an upstream (a simulator of its own
/// when none is named), and the real-client driver to send traffic through it.
public struct RecordingFixture: Sendable {
    public let root: String
    public let key: RedactionKey
    public let archive: WalletArchive
    public let proxy: RecordingProxy
    public let server: ChannelServer
    /// The simulator started for the fixture (nil when the test named its own upstream).
    public let sim: ApplicationServer?
    /// A client for the test's own requests (the process-wide one: a test that fails half-way
    /// leaves no client to shut down).
    public var client: HTTPClient { .shared }

    /// Starts the recorder in front of `upstream`, or of a simulator with `simulator`'s
    /// configuration. The other parameters are the recorder's settings.
    public static func start(
        upstream: String? = nil, simulator: SimulatorConfiguration = .fast(), tls: UpstreamTLS = .systemTrust, timeout: Duration = .seconds(120),
        maxBody: Int = 8 << 20, maxHeader: Int = 32 << 10, rotationBytes: Int64 = 256 << 20, requireRecording: Bool = false,
        sessionMemory: Int = RecorderConfiguration.defaultSessionMemory, recorderID: String = "test", root: String? = nil,
        compaction: CompactionQueue? = nil
    ) async throws -> RecordingFixture {
        let root = root ?? TemporaryDirectory.path("aomi-\(recorderID)")
        let sim = upstream == nil ? try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: simulator)).router()) : nil
        let target = upstream ?? sim!.baseURL
        let key = try RedactionKey.loadOrCreate(root: root)
        let archive = WalletArchive(
            settings: .init(
                root: root, recorderID: recorderID, rotationBytes: rotationBytes, fsync: .never, info: ArchiveInfo(upstream: target, redactionKeyID: key.id),
                compaction: compaction))
        var configuration = RecorderConfiguration(
            upstream: target, upstreamTLS: tls, upstreamTimeout: timeout, maxRequestBodyBytes: maxBody, maxHeaderBytes: maxHeader,
            requireRecording: requireRecording, sessionMemory: sessionMemory)
        // A loopback connection to a live server only fails to come within 5 s when the
        // machine is too busy to run the recorder's event loop: not what a test is about.
        configuration.upstreamConnectTimeout = .seconds(60)
        let proxy = RecordingProxy(configuration: configuration, archive: archive, redactor: Redactor(key: key), logger: ApplicationServer.quietLogger())
        let server = try await proxy.start()
        return RecordingFixture(root: root, key: key, archive: archive, proxy: proxy, server: server, sim: sim)
    }

    /// Drives the real-client driver through the recorder (the fast test configuration).
    public func drive(
        wallets: Int = 1, threads: Int = 1, messages: Int = 3, concurrency: Int = 4, seed: UInt64 = 1, appKey: String? = nil, app: String? = nil
    ) async throws -> DriverReport {
        try await AomiDriver(
            configuration: .fast(
                target: server.baseURL, wallets: wallets, threads: threads, messages: messages, concurrency: concurrency, seed: seed, appKey: appKey, app: app)
        ).run()
    }

    /// Stops the recorder (every exchange it saw archived), closes the archive and stops the
    /// fixture's simulator; returns the closed files.
    @discardableResult
    public func stop() async throws -> [String] {
        await server.stop()
        let files = try await archive.close()
        await sim?.stop()
        return files
    }

    /// Removes the archive root.
    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
