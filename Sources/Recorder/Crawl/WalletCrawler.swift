import AomiAPI
import AomiArchive
import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import TLSSupport
import WARC

/// Archives every thread of one wallet by pulling it from the backend: the thread list
/// (`GET /api/sessions?public_key=`), then for each thread `GET /api/sessions/{id}`,
/// `GET /api/state` and `GET /api/events`, recorded like proxied traffic but with
/// `Aomi-Capture: crawl`. Payloads the wallet's folder already holds become revisits.
public struct WalletCrawler: Sendable {
    let configuration: CrawlConfiguration
    let archive: WalletArchive
    let redactor: Redactor
    let client: HTTPClient

    public init(configuration: CrawlConfiguration, archive: WalletArchive, redactor: Redactor, client: HTTPClient) {
        self.configuration = configuration
        self.archive = archive
        self.redactor = redactor
        self.client = client
    }

    /// Crawls the wallet; `progress` hears of every finished thread. A thread that fails is
    /// reported in the result and the crawl goes on with the next.
    public func crawl(progress: @escaping @Sendable (CrawlProgress) -> Void = { _ in }) async throws -> CrawlReport {
        let wallet = configuration.wallet
        try await archive.loadPriorPayloads(folder: wallet.value)
        var report = CrawlReport(wallet: wallet)
        let listing = await fetch(
            "/api/sessions?public_key=\(wallet.value)", session: UUID().uuidString.lowercased(),
            context: ExchangeContext(sessionID: nil, wallet: wallet, sequence: nil, capture: .crawl, origin: configuration.upstream))
        report.exchanges += 1
        guard listing.status == 200, let threads = try? JSONCoding.decode([ThreadSummary].self, from: listing.body) else {
            report.failures.append(CrawlFailure(sessionID: nil, request: "GET /api/sessions?public_key=\(wallet.value)", reason: listing.problem))
            return report
        }
        report.threads = threads.count
        try await withThrowingTaskGroup(of: ThreadOutcome.self) { group in
            var pending = threads.makeIterator()
            for _ in 0..<max(1, configuration.concurrency) {
                guard let thread = pending.next() else { break }
                group.addTask { await crawlThread(thread.sessionID) }
            }
            var done = 0
            while let outcome = try await group.next() {
                done += 1
                report.exchanges += outcome.exchanges
                report.failures += outcome.failures
                progress(CrawlProgress(done: done, total: threads.count, sessionID: outcome.sessionID, failed: !outcome.failures.isEmpty))
                if let thread = pending.next() { group.addTask { await crawlThread(thread.sessionID) } }
            }
        }
        return report
    }

    private struct ThreadOutcome: Sendable {
        var sessionID: String
        var exchanges = 0
        var failures: [CrawlFailure] = []
    }

    private func crawlThread(_ sessionID: String) async -> ThreadOutcome {
        var outcome = ThreadOutcome(sessionID: sessionID)
        let requests: [(target: String, acceptable: Set<Int>)] = [
            ("/api/sessions/\(sessionID)", [200]),
            ("/api/state", [200]),
            ("/api/events", [200, 404]),
        ]
        for (index, request) in requests.enumerated() {
            let context = ExchangeContext(sessionID: sessionID, wallet: configuration.wallet, sequence: index + 1, capture: .crawl, origin: configuration.upstream)
            let result = await fetch(request.target, session: sessionID, context: context)
            outcome.exchanges += 1
            if !request.acceptable.contains(result.status) {
                outcome.failures.append(CrawlFailure(sessionID: sessionID, request: "GET \(request.target)", reason: result.problem))
            }
        }
        return outcome
    }

    // MARK: One exchange

    private struct Fetched {
        var status: Int
        var body: [UInt8]
        var problem: String
    }

    /// Sends one GET upstream and records it, whatever happens; the recorder's own 502/504
    /// stands in for a response that never came.
    private func fetch(_ target: String, session: String, context: ExchangeContext) async -> Fetched {
        var headers = HTTPFields()
        headers[HTTPField.Name(AomiHeader.sessionID)!] = session
        if let key = configuration.appKey { headers[HTTPField.Name(AomiHeader.appKey)!] = key }
        let request = CapturedRequest(method: "GET", target: target, headers: headers, body: [])
        let response: CapturedResponse
        var upstreamError: String?
        do {
            response = try await execute(request)
        } catch {
            let timedOut = (error as? HTTPClientError) == .deadlineExceeded
            let tlsCause = await explainTLS(error)
            let cause = tlsCause.map { "TLS failed: \($0)" } ?? "\(error)"
            let apiError = APIError(status: timedOut ? 504 : 502, "upstream \(configuration.upstream) \(timedOut ? "timed out" : "failed"): \(cause)")
            var errorHeaders = HTTPFields()
            errorHeaders[.contentType] = "application/json"
            response = CapturedResponse(status: apiError.status, reason: timedOut ? "Gateway Timeout" : "Bad Gateway", headers: errorHeaders, body: JSONCoding.encode(apiError))
            upstreamError = timedOut ? "timeout" : tlsCause.map { "tls: \($0)" } ?? "\(error)"
        }
        let exchange = redactor.redact(HTTPExchange(request: request, response: response, upstreamError: upstreamError))
        var problem = upstreamError ?? "status \(response.status)"
        do {
            try await archive.record(exchange, context: context)
        } catch {
            problem = "could not be archived: \(error)"
            return Fetched(status: -1, body: response.body, problem: problem)
        }
        if upstreamError == nil, response.status >= 400, let apiError = try? JSONCoding.decode(APIError.self, from: response.body) {
            problem = "status \(response.status): \(apiError.error)"
        }
        return Fetched(status: response.status, body: response.body, problem: problem)
    }

    private func explainTLS(_ error: any Error) async -> String? {
        guard let url = URL(string: configuration.upstream), let host = url.host else { return nil }
        return await TLSFailure.explain(error, host: host, port: url.port ?? (url.scheme == "https" ? 443 : 80), tls: configuration.upstreamTLS)
    }

    private func execute(_ request: CapturedRequest) async throws -> CapturedResponse {
        var upstream = HTTPClientRequest(url: configuration.upstream + request.target)
        for field in request.headers { upstream.headers.add(name: field.name.rawName, value: field.value) }
        let response = try await client.execute(upstream, timeout: TimeAmount(configuration.timeout))
        let head = WARCDate.now()
        let body = try await response.body.collect(upTo: configuration.maxBodyBytes)
        return CapturedResponse(
            status: Int(response.status.code), reason: response.status.reasonPhrase, headers: ProxyHeaders.fields(response.headers),
            body: Array(body.readableBytesView), date: head)
    }
}
