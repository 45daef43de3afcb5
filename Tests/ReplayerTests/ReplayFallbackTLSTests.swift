import AomiAPI
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import NIOCore
import NIOHTTP1
import NIOSSL
import Replayer
import TLSSupport
import TestSupport
import Testing

/// `replay --fallback https://…`: misses go to an HTTPS backend verified like the recorder's
/// upstream; a refused certificate is a 502 naming why. The replay's own listener serves HTTPS
/// with `--tls-cert`.
@Suite("Replay over TLS")
struct ReplayFallbackTLSTests {
    @Test("misses reach an HTTPS fallback trusted through --upstream-ca; an untrusted one is a 502 naming the cause", .timeLimit(.minutes(10)))
    func fallbackOverTLS() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let tls = try ListenerTLS(certificateFile: certificates.good.certificateFile, keyFile: certificates.good.keyFile)
        let live = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router(), tls: tls.configuration)
        // Loopback handshakes get a minute: under load 5 s passed before one was processed.
        let trusting = try ReplayFallback(
            baseURL: "https://localhost:\(live.port)", tls: try UpstreamTLS(caFiles: [certificates.caFile]), connectTimeout: .seconds(60),
            logger: ApplicationServer.quietLogger())
        let untrusting = try ReplayFallback(baseURL: "https://localhost:\(live.port)", connectTimeout: .seconds(60), logger: ApplicationServer.quietLogger())
        let (server, _) = try await recording.serve(fallback: trusting)
        let (refusing, _) = try await recording.serve(fallback: untrusting)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let forwarded = try await client.send(.POST, server.baseURL + "/api/chat?message=over%20tls", headers: [("X-Session-Id", UUID().uuidString)])
        let refused = try await client.send(.POST, refusing.baseURL + "/api/chat?message=over%20tls", headers: [("X-Session-Id", UUID().uuidString)])
        try await client.shutdown()
        await server.stop()
        await refusing.stop()
        await trusting.shutdown()
        await untrusting.shutdown()
        await live.stop()
        #expect(forwarded.status == 200 && forwarded.header("X-Aomi-Replay") == "fallback")
        #expect(String(decoding: forwarded.body, as: UTF8.self).contains("over tls"))
        #expect(refused.status == 502 && refused.header("X-Aomi-Replay") == "fallback")
        let error = try JSONCoding.decode(JSONValue.self, from: refused.body)["error"]?.stringValue ?? ""
        #expect(error.contains("TLS failed") && error.contains("not signed by a CA"), "\(error)")
    }

    @Test("--tls-cert: the replay itself serves HTTPS", .timeLimit(.minutes(10)))
    func replayListensOverTLS() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let engine = ReplayEngine(archive: recording.archive, tokens: SecretTokens.load(root: recording.root), logger: ApplicationServer.quietLogger())
        let server = try await ReplayServer(engine: engine, logger: ApplicationServer.quietLogger())
            .start(tls: try ListenerTLS(certificateFile: certificates.good.certificateFile, keyFile: certificates.good.keyFile))
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try UpstreamTLS(caFiles: [certificates.caFile]).configuration
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let session = try #require(recording.archive.sessions.first)
        let models = try await client.send(.GET, server.baseURL + "/api/control/models", headers: [("X-Session-Id", session.id)])
        try await client.shutdown()
        await server.stop()
        #expect(server.baseURL.hasPrefix("https://"))
        #expect(models.status == 200 && models.header("X-Aomi-Replay") == "hit")
    }
}
