import AomiAPI
import AomiArchive
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import Logging
import TestSupport
import Testing

@testable import ArchiveBrowser

/// The archive browser on a recorded archive (sim → record → driver, plus a thread whose
/// messages are hostile HTML): every page and its JSON, what it refuses, and what it never does.
@Suite(.serialized) struct ArchiveBrowserTests {
    static let xss = [#"<img src=x onerror=alert(1)>"#, #"</script><script>alert(2)</script>"#]

    /// The archive, recorded once for the suite: the driven threads and the hostile one.
    static let recorded = Task { try await record() }

    struct Recorded: Sendable {
        let root: String
        let wallet: String
        let sessions: [String]
        let hostileSession: String
    }

    static func record() async throws -> Recorded {
        let fixture = try await RecordingFixture.start(recorderID: "browser")
        TemporaryDirectory.removeAtExit(fixture.root)
        let report = try await fixture.drive(wallets: 1, threads: 2, messages: 2)
        #expect(report.errors.isEmpty, "\(report.errors)")
        let wallet = try #require(report.threads.first?.wallet)
        let hostile = "hostile-" + UUID().uuidString
        for message in xss {
            let query = "message=\(message.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&public_key=\(wallet)"
            try await send(fixture, "POST", "/api/chat?\(query)", session: hostile)
            for _ in 0..<12 { try await send(fixture, "GET", "/api/state?public_key=\(wallet)", session: hostile) }
        }
        try await fixture.stop()
        return Recorded(root: fixture.root, wallet: wallet, sessions: report.threads.map(\.sessionID), hostileSession: hostile)
    }

    static func send(_ fixture: RecordingFixture, _ method: String, _ target: String, session: String) async throws {
        var request = HTTPClientRequest(url: fixture.server.baseURL + target)
        request.method = .RAW(value: method)
        request.headers.add(name: "X-Session-Id", value: session)
        let response = try await fixture.client.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 4 << 20)
    }

    static func quiet() -> Logger { ApplicationServer.quietLogger(label: "browser-test") }

    /// Starts a browser on the recorded archive, runs `body`, stops it. On PostgreSQL, the
    /// index is a new database, loaded by the browser as it starts.
    func withBrowser<T>(
        backend: IndexBackend = .sqlite, token: String? = nil, refresh: Duration? = nil, _ body: (String, Recorded) async throws -> T
    ) async throws -> T {
        let recorded = try await Self.recorded.value
        let location = backend == .sqlite ? recorded.root + "/index.sqlite" : try await backend.newIndex(in: recorded.root)
        let server = try await ArchiveBrowser(
            root: recorded.root, databaseLocation: location, token: token, refreshInterval: refresh, logger: Self.quiet()
        ).start()
        do {
            let result = try await body(server.baseURL, recorded)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    struct Page {
        let status: Int
        let headers: [String: String]
        let body: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
    }

    func get(_ url: String, headers: [(String, String)] = []) async throws -> Page {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Page(
            status: Int(response.status.code), headers: Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }) { $1 },
            body: String(buffer: body))
    }

    /// A fuzz pass over the routes: random paths and parameters (known routes with hostile
    /// values, unknown routes, odd encodings) never get a 5xx, and the server keeps serving.
    @Test(.tags(.slow), .notInFastLoop, .timeLimit(.minutes(10)))
    func randomPathsAndParametersNeverBreakTheServer() async throws {
        try await withBrowser { base, recorded in
            var random = SeededRandom(seed: 0xB0A7)
            let session = recorded.sessions[0]
            let routes = [
                "/", "/wallets/\(recorded.wallet)", "/wallets/", "/sessions/\(session)", "/sessions/\(session)/exchanges/", "/sessions/\(session)/export.har",
                "/search", "/static/style.css", "/nope", "/sessions/", "/wallets/0x", "//", "/%2e%2e/%2e%2e/etc/passwd", "/sessions/%00",
            ]
            let values = [
                "", "0", "-1", "99999999999999999999", "1e308", "nan", "%00", "%ff%fe", "%", "%zz", "..%2f", "<script>", "\u{1F680}", "after:99999999999d",
                "(((((((((((((((((((eth", "\"", "wallet:0x12", "title:", String(repeating: "a", count: 5000),
            ]
            let names = ["page", "q", "format", "token", "wallet", "session", "from", "limit", "offset", "", "page[]"]
            var statuses: [Int: Int] = [:]
            for _ in 0..<600 {
                var path = routes[Int(random.next() % UInt64(routes.count))]
                if random.next() % 4 == 0 {
                    path += "/" + values[Int(random.next() % UInt64(values.count))].addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
                }
                let parameters = (0..<Int(random.next() % 4)).map { _ in
                    let value = values[Int(random.next() % UInt64(values.count))].addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                    return names[Int(random.next() % UInt64(names.count))] + "=" + value
                }
                let url = base + path + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
                let page = try await get(url)
                statuses[page.status, default: 0] += 1
                #expect(page.status < 500, "\(url.prefix(300)): \(page.status) \(page.body.prefix(200))")
            }
            #expect(try await get(base + "/").status == 200, "the server keeps serving: \(statuses)")
            #expect(statuses.keys.contains(200) && statuses.keys.contains(404))
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func anOversizedRequestLineIsA400AndTheConnectionCloses() async throws {
        try await withBrowser { base, _ in
            let port = try #require(Int(base.split(separator: ":").last ?? ""))
            // The whole line is sent while the server answers: it must close, or the sender blocks on a full socket.
            let answer = try await RawSocket.exchange(
                port: port, bytes: Array("GET /\(String(repeating: "a", count: 8 << 20)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
            #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
            #expect(try await get(base + "/").status == 200, "the server goes on serving")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aSessionWhoseIdNeedsPercentEncodingHasItsPages() async throws {
        let fixture = try await RecordingFixture.start(recorderID: "odd-id")
        defer { fixture.remove() }
        let session = "thread #1 ?&%/+" + UUID().uuidString
        try await Self.send(fixture, "POST", "/api/chat?message=hello", session: session)
        for _ in 0..<12 { try await Self.send(fixture, "GET", "/api/state", session: session) }
        try await fixture.stop()
        let server = try await ArchiveBrowser(root: fixture.root, databaseLocation: fixture.root + "/index.sqlite", refreshInterval: nil, logger: Self.quiet())
            .start()
        let encoded = session.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let page = try await get(server.baseURL + "/sessions/\(encoded)?format=json")
        let exchange = try await get(server.baseURL + "/sessions/\(encoded)/exchanges/1")
        await server.stop()
        #expect(page.status == 200, "\(page.body.prefix(300))")
        #expect(((page.json as? [String: Any])?["transcript"] as? [String: Any])?["session_id"] as? String == session, "\(page.body.prefix(300))")
        #expect(exchange.status == 200)
    }

    @Test(.timeLimit(.minutes(10)), arguments: IndexBackend.testable)
    func everyPageAndItsJSONForARecordedArchive(_ backend: IndexBackend) async throws {
        try await withBrowser(backend: backend) { base, recorded in
            let wallets = try await get(base + "/")
            #expect(wallets.status == 200 && wallets.body.contains(recorded.wallet))
            #expect(wallets.headers["content-security-policy"]?.contains("default-src 'none'") == true)
            let walletsJSON = try #require(try await get(base + "/?format=json").json as? [String: Any])
            #expect((walletsJSON["wallets"] as? [[String: Any]])?.first?["thread_count"] as? Int == 3)

            let wallet = try await get(base + "/wallets/\(recorded.wallet)")
            #expect(wallet.status == 200 && wallet.body.contains("<svg") && recorded.sessions.allSatisfy { wallet.body.contains($0) })
            let walletJSON = try #require(try await get(base + "/wallets/\(recorded.wallet)?format=json").json as? [String: Any])
            #expect((walletJSON["threads"] as? [[String: Any]])?.count == 3 && (walletJSON["activity"] as? [Any])?.isEmpty == false)

            let session = try #require(recorded.sessions.first)
            let page = try await get(base + "/sessions/\(session)")
            #expect(page.status == 200)
            for expected in ["class=\"message user\"", "class=\"message agent\"", "<svg", "/exchanges/", "export.har", "export.warc.gz", "aomi-archive replay"] {
                #expect(page.body.contains(expected), "session page shows \(expected)")
            }
            let sessionJSON = try #require(try await get(base + "/sessions/\(session)?format=json").json as? [String: Any])
            let exchanges = try #require(sessionJSON["exchanges"] as? [[String: Any]])
            #expect(exchanges.contains { $0["kind"] as? String == "updates" && ($0["event_times"] as? [String])?.isEmpty == false })
            let stream = try #require(exchanges.first { $0["kind"] as? String == "updates" }?["sequence"] as? Int)

            let exchange = try await get(base + "/sessions/\(session)/exchanges/\(stream)")
            #expect(exchange.status == 200 && exchange.body.contains("SSE events") && exchange.body.contains("GET /api/updates"))
            let exchangeJSON = try #require(try await get(base + "/sessions/\(session)/exchanges/\(stream)?format=json").json as? [String: Any])
            #expect((exchangeJSON["events"] as? [Any])?.isEmpty == false)
            #expect((exchangeJSON["request"] as? [String: Any])?["file"] as? String != nil)

            let search = try await get(base + "/search?q=staking+OR+price&sender=user")
            #expect(search.status == 200 && search.body.contains("<mark>") && search.body.contains("/sessions/"))
            let searchJSON = try #require(try await get(base + "/search?q=staking+OR+price&format=json").json as? [String: Any])
            #expect(searchJSON["understood"] as? String == "staking OR price")
            #expect((searchJSON["hits"] as? [[String: Any]])?.allSatisfy { ($0["snippet"] as? String)?.contains("\u{E000}") == false } == true)
        }
    }

    @Test(.timeLimit(.minutes(10)), arguments: IndexBackend.testable)
    func unknownThingsAre404AndBadSearchesA400WithTheCLIsMessage(_ backend: IndexBackend) async throws {
        try await withBrowser(backend: backend) { base, recorded in
            let session = try #require(recorded.sessions.first)
            for path in [
                "/wallets/0x0000000000000000000000000000000000000001", "/wallets/notawallet", "/sessions/no-such-session", "/sessions/\(session)/exchanges/99999",
                "/sessions/\(session)/exchanges/abc", "/sessions/..%2F..%2F..%2Fetc%2Fpasswd", "/sessions/%2e%2e", "/sessions/a%00b", "/static/../index.sqlite",
                "/no/such/page", "/sessions/no-such-session/export.har", "/sessions/no-such-session/export.warc.gz",
            ] {
                let page = try await get(base + path)
                #expect(page.status == 404, "\(path): \(page.status)")
                #expect(!page.body.contains("root:") && page.body.contains("aomi-archive"), "\(path)")
            }
            for query in ["(eth", "%22eth", "*", "-swap", "from:bot+eth", "after:yesterday+eth", "after:99999999999d", "before:1e9w+eth"] {
                let page = try await get(base + "/search?q=\(query)")
                #expect(page.status == 400, "\(query): \(page.status)")
                #expect(page.body.contains("class=\"error\"") && !page.body.contains("fts5") && !page.body.contains("syntax error"), "\(query)")
            }
            let bad = try #require(try await get(base + "/search?q=(eth&format=json").json as? [String: Any])
            #expect((bad["error"] as? String)?.contains("the parenthesis at position 1 is never closed") == true)
            // Asked for JSON, a failure is JSON too; as a page, its footer says when the index was updated.
            for path in ["/nope", "/sessions/no-such-session", "/wallets/0xdeadbeef", "/exchanges/999", "/sessions/\(session)/exchanges/99999"] {
                let page = try await get(base + path + "?format=json")
                #expect(page.status == 404 && page.headers["content-type"]?.hasPrefix("application/json") == true, "\(path): \(page.headers)")
                let failure = try #require(page.json as? [String: Any], "\(path): \(page.body)")
                #expect(failure["status"] as? Int == 404 && (failure["error"] as? String)?.isEmpty == false)
                let html = try await get(base + path)
                #expect(html.body.contains("<footer>index updated 2") && !html.body.contains("index updated never"), "\(path)")
            }
            let unknown = try #require(try await get(base + "/search?q=session:nope+eth&format=json").json as? [String: Any])
            #expect((unknown["error"] as? String)?.contains("no session nope in the index") == true, "\(unknown)")
        }
    }

    /// The debugging data of the pages, as JSON: a session's turns and their summary, where
    /// each message came from, an exchange's parameters, neighbours, poll changes and curl,
    /// search totals and the last page, the exchanges without a session.
    @Test(.timeLimit(.minutes(10)))
    func turnsExchangesAndSearchTotalsAsJSON() async throws {
        try await withBrowser { base, recorded in
            let session = try #require(recorded.sessions.first)
            let sessionJSON = try #require(try await get(base + "/sessions/\(session)?format=json").json as? [String: Any])
            let turns = try #require(sessionJSON["turns"] as? [[String: Any]])
            #expect(turns.count == 2 && (sessionJSON["summary"] as? [String: Any])?["turns"] as? Int == 2)
            #expect(turns.allSatisfy { ($0["timing"] as? [String: Any])?["polls"] as? Int ?? 0 > 0 })
            let sources = try #require(sessionJSON["message_sources"] as? [String: Int])
            #expect(sources.count >= 4, "every message links to the exchange that first held it: \(sources)")
            let exchanges = try #require(sessionJSON["exchanges"] as? [[String: Any]])
            let polls = exchanges.filter { $0["kind"] as? String == "state" }.compactMap { $0["sequence"] as? Int }
            let second = try #require(polls.dropFirst().first)
            let poll = try #require(try await get(base + "/sessions/\(session)/exchanges/\(second)?format=json").json as? [String: Any])
            #expect(
                (poll["parameters"] as? [[String]])?.contains { $0.first == "user_state" && $0.last?.contains("\"address\" : ") == true } == true, "\(poll["parameters"] ?? "")")
            #expect(poll["previous"] as? Int != nil && poll["next"] as? Int != nil)
            #expect(poll["previous_poll"] as? Int == polls.first && poll["changes_since_previous_poll"] as? [String] != nil)
            #expect((poll["curl"] as? String)?.hasPrefix("curl \\\n  'http://") == true && (poll["curl"] as? String)?.contains("X-Session-Id: \(session)") == true)
            var changed: [String] = []
            for sequence in polls {
                let page = try await get(base + "/sessions/\(session)/exchanges/\(sequence)?format=json").json as? [String: Any]
                changed += page?["changes_since_previous_poll"] as? [String] ?? []
            }
            #expect(changed.contains { $0.hasPrefix("+ messages[") }, "a poll that brought a message says so: \(changed.prefix(5))")

            let search = try #require(try await get(base + "/search?q=staking+OR+price&format=json").json as? [String: Any])
            let totals = try #require(search["totals"] as? [String: Any])
            #expect((totals["messages"] as? Int ?? 0) >= (search["hits"] as? [Any])?.count ?? 0 && (totals["sessions"] as? Int ?? 0) >= 1)
            let past = try #require(try await get(base + "/search?q=staking+OR+price&page=999&format=json").json as? [String: Any])
            #expect((past["hits"] as? [Any])?.isEmpty == true && past["last_page"] as? Int == 1)
            let unbound = try #require(try await get(base + "/unbound?format=json").json as? [String: Any])
            #expect(unbound["count"] as? Int != nil)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func recordedHTMLShowsAsTextAndNoPageHasAScript() async throws {
        try await withBrowser { base, recorded in
            let page = try await get(base + "/sessions/\(recorded.hostileSession)")
            #expect(page.status == 200)
            #expect(page.body.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(page.body.contains("&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"))
            #expect(!page.body.contains("<img") && !page.body.lowercased().contains("<script"))
            let search = try await get(base + "/search?q=onerror")
            #expect(search.body.contains("&lt;img src=x") && !search.body.contains("<img"))
            let sessionJSON = try #require(try await get(base + "/sessions/\(recorded.hostileSession)?format=json").json as? [String: Any])
            let exchanges = try #require(sessionJSON["exchanges"] as? [[String: Any]])
            for exchange in exchanges.prefix(4) {
                let sequence = try #require(exchange["sequence"] as? Int)
                let detail = try await get(base + "/sessions/\(recorded.hostileSession)/exchanges/\(sequence)")
                #expect(detail.status == 200 && !detail.body.contains("<img") && !detail.body.lowercased().contains("<script"))
            }
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func downloadsAreAHARAndAWARCThatWarcioReads() async throws {
        try await withBrowser { base, recorded in
            let session = try #require(recorded.sessions.first)
            let har = try await get(base + "/sessions/\(session)/export.har")
            #expect(har.status == 200 && har.headers["content-disposition"]?.contains("attachment") == true)
            let entries = ((har.json as? [String: Any])?["log"] as? [String: Any])?["entries"] as? [Any]
            #expect(entries?.isEmpty == false)
            var request = HTTPClientRequest(url: base + "/sessions/\(session)/export.warc.gz")
            request.method = .GET
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            #expect(response.status == .ok)
            let file = TemporaryDirectory.path("aomi-browser-export") + ".warc.gz"
            defer { try? FileManager.default.removeItem(atPath: file) }
            try Data(buffer: bytes).write(to: URL(fileURLWithPath: file))
            #expect(try await Warcio.run(["check", file]).status == 0)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aTokenIsAskedForOnEveryRequestAndKeptInACookie() async throws {
        try await withBrowser(token: "s3cret-token") { base, _ in
            #expect(try await get(base + "/").status == 401)
            #expect(try await get(base + "/?token=wrong").status == 401)
            let opened = try await get(base + "/?token=s3cret-token")
            #expect(opened.status == 200)
            let cookie = try #require(opened.headers["set-cookie"])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            #expect(try await get(base + "/", headers: [("Cookie", String(cookie.prefix { $0 != ";" }))]).status == 200)
            #expect(try await get(base + "/", headers: [("Authorization", "Bearer s3cret-token")]).status == 200)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func pagesWriteNothingToTheArchives() async throws {
        let recorded = try await Self.recorded.value
        let before = try Self.archiveFiles(recorded.root)
        try await withBrowser { base, recorded in
            let session = try #require(recorded.sessions.first)
            for path in ["/", "/wallets/\(recorded.wallet)", "/sessions/\(session)", "/sessions/\(session)/export.warc.gz", "/search?q=eth"] {
                _ = try await get(base + path)
            }
        }
        #expect(try Self.archiveFiles(recorded.root) == before)
    }

    @Test(.timeLimit(.minutes(10)))
    func aGrowingArchiveShowsWithoutARestartWhilePagesKeepBeingServed() async throws {
        let fixture = try await RecordingFixture.start(recorderID: "growing")
        defer { fixture.remove() }
        let first = try await fixture.drive(wallets: 1, threads: 1, messages: 1, seed: 11)
        let wallet = try #require(first.threads.first?.wallet)
        try FileManager.default.createDirectory(atPath: fixture.root, withIntermediateDirectories: true)
        let server = try await ArchiveBrowser(
            root: fixture.root, databaseLocation: fixture.root + "/index.sqlite", refreshInterval: .milliseconds(50), logger: Self.quiet()
        ).start()
        let threads = { () async throws -> Int in
            let page = try await get(server.baseURL + "/wallets/\(wallet)?format=json")
            return page.status == 200 ? ((page.json as? [String: Any])?["threads"] as? [Any])?.count ?? 0 : 0
        }
        let before = try await threads()
        // The recorder keeps writing (its files still .open) while the browser serves and indexes.
        let second = try await fixture.drive(wallets: 1, threads: 2, messages: 1, seed: 11)
        #expect(Set(second.threads.map(\.wallet)) == [wallet])
        var after = before
        let deadline = ContinuousClock.now + .seconds(120)
        while after < 3, ContinuousClock.now < deadline {
            #expect(try await get(server.baseURL + "/").status == 200)
            after = try await threads()
            await Task.yield()
        }
        await server.stop()
        try await fixture.stop()
        #expect(after == 3, "the threads recorded after the browser started show (\(before) at start)")
    }

    /// In headless Chromium (tools/browser/browse_archive.py): a person's path through the pages
    /// by their links, a search followed to its message, the HAR downloaded, and the hostile
    /// session opened; no dialog, no console error, no script ran.
    @Test(.tags(.browser), .needs(.chromium), .timeLimit(.minutes(10)))
    func aRealBrowserWalksThePagesAndRunsNoRecordedScript() async throws {
        let screenshots = NSTemporaryDirectory() + "aomi-browser-screenshots"
        try? FileManager.default.removeItem(atPath: screenshots)
        let report = try await withBrowser { base, recorded -> [String: Any] in
            let session = try #require(recorded.sessions.first)
            let script = Repository.root + "/tools/browser/browse_archive.py"
            let run = try await Warcio.runPython([script, base, recorded.wallet, session, recorded.hostileSession, screenshots])
            try #require(run.status == 0, "\(run.output)")
            let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") })
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let pages = (report["pages"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(pages == ["wallets", "wallet", "session", "exchange", "search", "hit", "hostile"])
        #expect((report["messages_shown"] as? Int ?? 0) > 0)
        #expect((report["hits"] as? Int ?? 0) > 0 && report["hit_target_found"] as? Bool == true)
        #expect((report["har_entries"] as? Int ?? 0) > 0)
        #expect((report["dialogs"] as? [Any])?.isEmpty == true && report["script_ran"] as? Bool == false)
        #expect((report["console_errors"] as? [Any])?.isEmpty == true, "\(report["console_errors"] ?? "")")
        #expect(report["hostile_text_shown"] as? Bool == true)
    }

    /// A wallet active within 24 hours is charted by hour, across midnight too; longer, by day.
    @Test func activityWithinADayIsChartedByHour() {
        #expect(BrowserData.spansADayOrLess(["2026-12-05T23:00:00.000000Z", "2026-12-06T01:30:00.000000Z"]))
        #expect(!BrowserData.spansADayOrLess(["2026-12-04T23:00:00.000000Z", "2026-12-06T01:30:00.000000Z"]))
        #expect(ActivityChart.label("2026-12-05T23") == "2026-12-05 23:00" && ActivityChart.label("2026-12-05") == "2026-12-05")
    }

    /// Every archive file under the root with its size and modification time.
    static func archiveFiles(_ root: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: root) where path.contains(".warc") {
            let attributes = try FileManager.default.attributesOfItem(atPath: root + "/" + path)
            files[path] = "\(attributes[.size] ?? 0) \(attributes[.modificationDate] ?? "")"
        }
        return files
    }
}
