import AomiAPI
import AomiArchive
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import Hummingbird
import NIOCore
import NIOSSL
import Recorder
import TLSSupport
import TestSupport
import Testing
import WARC

/// The recorder in front of an HTTPS upstream: the simulator (or another real server) serving
/// TLS with certificates made for this run.
@Suite struct RecordingProxyTLSTests {
    private func simulator(_ pair: TestCertificates.Pair) async throws -> ApplicationServer {
        let tls = try ListenerTLS(certificateFile: pair.certificateFile, keyFile: pair.keyFile)
        return try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router(), tls: tls.configuration)
    }

    private func records(_ files: [String]) throws -> [WARCRecord] {
        try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
    }

    @Test(.tags(.slow), .notInFastLoop, .timeLimit(.minutes(10))) func drivenTrafficThroughAnHTTPSUpstreamIsRecordedAsOverPlainHTTP() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let secure = try await simulator(certificates.good)
        let upstream = "https://localhost:\(secure.port)"
        let proxy = try await RecordingFixture.start(upstream: upstream, tls: try UpstreamTLS(caFiles: [certificates.caFile]))
        defer { proxy.remove() }
        let overTLS = try await AomiDriver(configuration: .fast(target: proxy.server.baseURL, wallets: 2, threads: 1, messages: 3)).run()
        let files = try await proxy.stop()
        await secure.stop()

        let plainSim = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router())
        let plainProxy = try await RecordingFixture.start(upstream: plainSim.baseURL)
        defer { plainProxy.remove() }
        let overHTTP = try await AomiDriver(configuration: .fast(target: plainProxy.server.baseURL, wallets: 2, threads: 1, messages: 3)).run()
        _ = try await plainProxy.stop()
        await plainSim.stop()

        #expect(overTLS.errors.isEmpty, "\(overTLS.errors)")
        #expect(overTLS.transcript == overHTTP.transcript)
        let requests = try records(files).filter { $0.type == .request }
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0.targetURI?.hasPrefix(upstream + "/api/") == true }, "\(requests.first?.targetURI ?? "")")
        #expect(requests.allSatisfy { HTTPMessageHead(block: $0.block)?.value("Host") == "localhost:\(secure.port)" })
        for file in files { #expect(try await Warcio.run(["check", file]).status == 0) }
    }

    /// As over plain HTTP: the upstream sends event 2 only after the client has received event
    /// 1 through the proxy, so a proxy that buffered TLS records would deadlock.
    @Test(.timeLimit(.minutes(10))) func sseEventsCrossTLSOneByOne() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let tls = try ListenerTLS(certificateFile: certificates.good.certificateFile, keyFile: certificates.good.keyFile)
        let gated = try await GatedEventsUpstream.start(tls: tls.configuration)
        let upstream = gated.server
        let proxy = try await RecordingFixture.start(upstream: upstream.baseURL, tls: try UpstreamTLS(caFiles: [certificates.caFile]))
        defer { proxy.remove() }
        let received = try await gated.readEvents(from: proxy.server.baseURL, client: proxy.client)
        let files = try await proxy.stop()
        await upstream.stop()
        #expect(received == ["tool_update", "tool_complete"])
        let stream = try records(files).filter { $0.type == .response || $0.type == .continuation }
        #expect(stream.map(\.type) == [.response, .continuation, .continuation, .continuation])
        #expect(stream.first?.targetURI?.hasPrefix("https://127.0.0.1:") == true)
        #expect(stream.last?.headers["Aomi-Stream-End"] == "upstream-closed")
    }

    /// Each broken upstream gets the documented 502 with a JSON body naming the cause, a
    /// recorded failure, and a proxy that goes on serving.
    @Test(.timeLimit(.minutes(10)), arguments: ["unknown CA", "expired", "expired CA", "wrong host name", "plain HTTP", "handshake refused"])
    func aTLSFailureIsA502NamingItsCause(_ failure: String) async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server: ApplicationServer
        let expected: String
        switch failure {
        case "unknown CA":
            server = try await simulator(certificates.unknownCA)
            expected = "not signed by a CA"
        case "expired":
            server = try await simulator(certificates.expired)
            expected = "the certificate has expired"
        case "expired CA":
            server = try await simulator(certificates.issuedByExpiredCA)
            expected = "the certificate of its issuing CA (CN=aomi-archive lapsed CA) has expired"
        case "wrong host name":
            server = try await simulator(certificates.wrongHost)
            expected = "not valid for"
        case "plain HTTP":
            server = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router())
            expected = "does not speak TLS"
        default:
            var old = try ListenerTLS(certificateFile: certificates.good.certificateFile, keyFile: certificates.good.keyFile).configuration
            old.minimumTLSVersion = .tlsv1
            old.maximumTLSVersion = .tlsv11
            server = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router(), tls: old)
            expected = "refused the TLS handshake"
        }
        let proxy = try await RecordingFixture.start(
            upstream: "https://127.0.0.1:\(server.port)", tls: try UpstreamTLS(caFiles: [certificates.caFile, certificates.expiredCAFile]))
        defer { proxy.remove() }
        var answers: [(status: UInt, error: String)] = []
        for _ in 0..<2 {
            var request = HTTPClientRequest(url: proxy.server.baseURL + "/api/state")
            request.headers.add(name: "X-Session-Id", value: "tls-\(failure)")
            let response = try await proxy.client.execute(request, timeout: .seconds(120))
            let body = try await response.body.collect(upTo: 1 << 20)
            answers.append((response.status.code, (try? JSONCoding.decode(APIError.self, from: body.readableBytesView).error) ?? ""))
        }
        let files = try await proxy.stop()
        await server.stop()
        #expect(answers.map(\.status) == [502, 502], "the proxy answers every request, not only the first")
        #expect(answers.allSatisfy { $0.error.contains("TLS failed") && $0.error.contains(expected) }, "\(answers.map(\.error))")
        let failures = try records(files).filter { $0.type == .response }.compactMap { $0.headers["Aomi-Upstream-Error"] }
        #expect(failures.count == 2 && failures.allSatisfy { $0.hasPrefix("tls: ") && $0.contains(expected) }, "\(failures)")
    }

    @Test(.timeLimit(.minutes(10))) func insecureSkipsVerification() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await simulator(certificates.unknownCA)
        let proxy = try await RecordingFixture.start(upstream: "https://127.0.0.1:\(server.port)", tls: try UpstreamTLS(insecure: true))
        defer { proxy.remove() }
        var request = HTTPClientRequest(url: proxy.server.baseURL + "/api/control/models")
        request.headers.add(name: "X-Session-Id", value: "insecure")
        let response = try await proxy.client.execute(request, timeout: .seconds(120))
        _ = try await proxy.stop()
        await server.stop()
        #expect(response.status.code == 200)
    }

    /// The crawl's waits (connection with its TLS handshake, each answer) are as long as a
    /// loaded machine may need: they end when the answer comes, so they only bound a hang (a
    /// 5 s handshake limit failed this test once with both cores busy).
    @Test(.timeLimit(.minutes(10))) func theCrawlerPullsAWalletOverTLS() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await simulator(certificates.good)
        let upstream = "https://localhost:\(server.port)"
        let tls = try UpstreamTLS(caFiles: [certificates.caFile])
        let front = try await RecordingFixture.start(upstream: upstream, tls: tls)
        defer { front.remove() }
        let driven = try await AomiDriver(configuration: .fast(target: front.server.baseURL, wallets: 1, threads: 2, messages: 1)).run()
        _ = try await front.stop()
        #expect(driven.errors.isEmpty, "\(driven.errors)")
        let root = TemporaryDirectory.path("aomi-crawl-tls")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let archive = WalletArchive(settings: .init(root: root, recorderID: "crawl", fsync: .never))
        let client = RecordingProxy.makeUpstreamClient(tls: tls, connectTimeout: .seconds(120))
        let wallet = try #require(WalletAddress(driven.threads[0].wallet))
        let report = try await WalletCrawler(
            configuration: CrawlConfiguration(upstream: upstream, upstreamTLS: tls, wallet: wallet, timeout: .seconds(240)),
            archive: archive, redactor: Redactor(key: try RedactionKey.loadOrCreate(root: root)), client: client
        ).crawl()
        let files = try await archive.close()
        try await client.shutdown()

        let untrusting = RecordingProxy.makeUpstreamClient(connectTimeout: .seconds(120))
        let refusedRoot = root + "-refused"
        defer { try? FileManager.default.removeItem(atPath: refusedRoot) }
        let refusedArchive = WalletArchive(settings: .init(root: refusedRoot, recorderID: "crawl", fsync: .never))
        let refused = try await WalletCrawler(
            configuration: CrawlConfiguration(upstream: upstream, wallet: wallet, timeout: .seconds(240)), archive: refusedArchive,
            redactor: Redactor(key: try RedactionKey.loadOrCreate(root: refusedRoot)), client: untrusting
        ).crawl()
        _ = try await refusedArchive.close()
        try await untrusting.shutdown()
        await server.stop()

        #expect(report.threads == 2 && report.failures.isEmpty, "\(report.failures)")
        #expect(try records(files).filter { $0.type == .request }.allSatisfy { $0.targetURI?.hasPrefix(upstream + "/api/") == true })
        #expect(refused.failures.count == 1 && refused.failures[0].reason.contains("not signed by a CA"), "\(refused.failures)")
    }
}
