import AomiAPI
import AomiArchive
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import Hummingbird
import Recorder
import TestSupport
import Testing
import WARC

@Suite struct WalletCrawlerTests {
    /// Crawls with a fresh archive and process state, as two separate `crawl` runs would.
    private func crawl(upstream: String, wallet: WalletAddress, root: String) async throws -> (CrawlReport, [WARCRecord], Int) {
        let key = try RedactionKey.loadOrCreate(root: root)
        let archive = WalletArchive(settings: .init(root: root, recorderID: "crawl", fsync: .never))
        let client = RecordingProxy.makeUpstreamClient()
        let crawler = WalletCrawler(
            configuration: CrawlConfiguration(upstream: upstream, wallet: wallet, appKey: "crawl-secret-key"),
            archive: archive, redactor: Redactor(key: key), client: client)
        let report = try await crawler.crawl()
        let files = try await archive.close()
        try await client.shutdown()
        for file in files { #expect(try await Warcio.run(["check", file]).status == 0, "\(file)") }
        let records = try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
        return (report, records, await archive.revisits)
    }

    @Test func aSecondCrawlOfAnUnchangedWalletWritesRevisitsOnly() async throws {
        let sim = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router())
        let driven = try await AomiDriver(configuration: .fast(target: sim.baseURL, wallets: 1, threads: 3, messages: 2, concurrency: 3)).run()
        #expect(driven.errors.isEmpty, "\(driven.errors)")
        let wallet = try #require(WalletAddress(driven.threads[0].wallet))
        let root = TemporaryDirectory.path("aomi-crawl")
        defer { try? FileManager.default.removeItem(atPath: root) }

        let (first, firstRecords, _) = try await crawl(upstream: sim.baseURL, wallet: wallet, root: root)
        #expect(first.threads == 3 && first.failures.isEmpty, "\(first.failures)")
        #expect(first.exchanges == 1 + 3 * 3)
        let requests = firstRecords.filter { $0.type == .request }
        #expect(requests.count == first.exchanges)
        #expect(requests.allSatisfy { $0.headers["Aomi-Capture"] == "crawl" && $0.headers["Aomi-Wallet"] == wallet.value })
        for thread in driven.threads {
            let targets = Set(requests.filter { $0.headers["Aomi-Session-Id"] == thread.sessionID }.compactMap { $0.targetURI.flatMap { URL(string: $0)?.path } })
            #expect(targets == ["/api/sessions/\(thread.sessionID)", "/api/state", "/api/events"])
            let state = firstRecords.first { $0.type == .response && $0.headers["Aomi-Session-Id"] == thread.sessionID && $0.targetURI?.hasSuffix("/api/state") == true }
            let snapshot = try JSONCoding.decode(SessionSnapshot.self, from: try #require(state?.httpPayload))
            #expect(snapshot.messages.map(\.content).suffix(thread.messages.count) == thread.messages.map(\.content)[...])
        }
        let everything = firstRecords.map { String(decoding: $0.block, as: UTF8.self) }.joined()
        #expect(!everything.contains("crawl-secret-key"), "the App key is redacted")

        let (second, secondRecords, revisits) = try await crawl(upstream: sim.baseURL, wallet: wallet, root: root)
        #expect(second.failures.isEmpty)
        #expect(secondRecords.filter { $0.type == .response }.isEmpty, "an unchanged wallet gives revisits only")
        #expect(revisits == second.exchanges)
        let originals = Set(firstRecords.compactMap(\.recordID))
        #expect(secondRecords.filter { $0.type == .revisit }.allSatisfy { originals.contains($0.headers[WARCField.refersTo] ?? "") })
        await sim.stop()
    }

    @Test func aFailingThreadIsReportedAndTheCrawlGoesOn() async throws {
        let wallet = WalletAddress("0x742d35cc6634c0532925a3b844bc9e7595f2bd68")!
        let router = Router()
        router.get("/api/sessions") { _, _ in
            Response.json(Array(#"[{"session_id":"good","title":"Good"},{"session_id":"bad","title":"Bad"}]"#.utf8), status: .ok)
        }
        router.get("/api/sessions/{id}") { _, context in
            Response.json(Array(#"{"session_id":"\#(context.parameters.get("id") ?? "")","title":"T"}"#.utf8), status: .ok)
        }
        router.get("/api/state") { request, _ in
            request.headers[.init("X-Session-Id")!] == "bad"
                ? Response.json(Array(#"{"error":"backend exploded","status":500}"#.utf8), status: .internalServerError)
                : Response.json(Array(#"{"messages":[],"is_processing":false}"#.utf8), status: .ok)
        }
        router.get("/api/events") { _, _ in Response.json(Array(#"{"error":"no events","status":404}"#.utf8), status: .notFound) }
        let upstream = try await ApplicationServer.start(router: router)
        let root = TemporaryDirectory.path("aomi-crawl")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (report, records, _) = try await crawl(upstream: upstream.baseURL, wallet: wallet, root: root)
        await upstream.stop()
        #expect(report.threads == 2)
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.sessionID == "bad")
        #expect(report.failures.first?.reason.contains("backend exploded") == true)
        #expect(records.filter { $0.type == .request }.count == 7, "both threads were crawled in full")
    }
}
