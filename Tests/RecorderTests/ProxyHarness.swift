import AomiAPI
import AsyncHTTPClient
import Foundation
import HTTPServing
import Logging
import Recorder
import TLSSupport

/// A recording proxy on a free loopback port in front of `upstream`, recording into a fresh root.
struct ProxyHarness {
    let root: String
    let server: RecordingProxyServer
    let proxy: RecordingProxy
    let archive: WalletArchive
    /// A client for the test's own requests (the process-wide one: a test that fails half-way
    /// leaves no client to shut down).
    let client: HTTPClient

    static func start(
        upstream: String, tls: UpstreamTLS = .systemTrust, timeout: Duration = .seconds(120), maxBody: Int = 8 << 20, maxHeader: Int = 32 << 10,
        rotationBytes: Int64 = 256 << 20, requireRecording: Bool = false, sessionMemory: Int = RecorderConfiguration.defaultSessionMemory,
        root: String? = nil
    ) async throws -> ProxyHarness {
        let root = root ?? NSTemporaryDirectory() + "aomi-proxy-\(UUID().uuidString.prefix(8))"
        let key = try RedactionKey.loadOrCreate(root: root)
        let archive = WalletArchive(settings: .init(root: root, recorderID: "test", rotationBytes: rotationBytes, fsync: .never))
        let client = HTTPClient.shared
        let proxy = RecordingProxy(
            configuration: RecorderConfiguration(
                upstream: upstream, upstreamTLS: tls, upstreamTimeout: timeout, maxRequestBodyBytes: maxBody, maxHeaderBytes: maxHeader,
                requireRecording: requireRecording, sessionMemory: sessionMemory),
            archive: archive, redactor: Redactor(key: key), logger: RunningServer.quietLogger())
        let server = try await proxy.start()
        return ProxyHarness(root: root, server: server, proxy: proxy, archive: archive, client: client)
    }

    /// Stops serving and closes the archive; returns the closed files.
    func stop() async throws -> [String] {
        await server.stop()
        return try await archive.close()
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
