import Foundation
import TestSupport
import Testing

/// The browser's debugging views in headless Chromium (tools/browser/debug_views.py), on the
/// demo's archive served by `aomi-archive serve` and on an empty one: what a person reads on
/// every page type, turns, spans, wallet cards, diffs and curl included.
@Suite struct BrowserDebugViewsTests {
    @Test(.tags(.browser), .needs(.chromium), .timeLimit(.minutes(10)))
    func aPersonReadsEveryDebuggingView() async throws {
        let root = TemporaryDirectory.path("aomi-debug-views")
        let empty = TemporaryDirectory.path("aomi-debug-empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: empty)
        }
        let demo = try await CommandRunner.run(["demo", "--dir", root])
        try #require(demo.status == 0, "\(demo.standardError)")
        // A session of the conversation each wallet's first thread holds: a price question (a
        // tool), staking, and a swap the user signs or rejects.
        let session = try await DebuggingCommandTests.session(matching: "\"price of ETH\" from:user", in: root)
        let rerun = String(try #require(demo.standardOutput.firstMatch(of: /wallet request changed\n\s+rerun session ([0-9a-f-]+)/)?.output.1))
        let serve = try BackgroundCommand(["serve", "--archives", root, "--listen", "127.0.0.1:0", "--refresh", "1h"])
        let emptyServe = try BackgroundCommand(["serve", "--archives", empty, "--listen", "127.0.0.1:0", "--refresh", "1h"])
        let screenshots = NSTemporaryDirectory() + "aomi-debug-views-screenshots"
        let run = try await Warcio.runPython([
            Repository.root + "/tools/browser/debug_views.py", try await serve.waitForURL(), try await emptyServe.waitForURL(), session, rerun, screenshots,
        ])
        serve.signal(SIGTERM)
        emptyServe.signal(SIGTERM)
        _ = await serve.wait()
        _ = await emptyServe.wait()
        try #require(run.status == 0, "\(run.output)")
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])

        // The wallet list: short addresses, the full one on hover and to copy, sessionless traffic.
        let link = try #require(report["wallet_link"] as? [String: String])
        #expect(link["text"]?.contains("…") == true && link["title"]?.count == 42 && link["title"]?.hasPrefix(String(link["text"]!.prefix(10))) == true)
        #expect((report["copy_value"] as? String)?.count == 42)
        #expect((report["unbound_link"] as? String)?.hasSuffix("exchanges without a session") == true, "\(report["unbound_link"] ?? "")")
        #expect(report["activity_heading"] as? [String] == ["Messages per hour"], "a wallet active within a day is charted by hour")
        let labels = try #require(report["activity_labels"] as? [String])
        #expect(labels.contains { $0.firstMatch(of: /^\d{4}-\d\d-\d\d \d\d:00$/) != nil }, "hours are labelled as hours: \(labels)")
        #expect(Set(labels).count == labels.count, "no label twice: \(labels)")

        // The session as turns.
        #expect((report["summary"] as? String)?.firstMatch(of: /^3 turns · 1 tool · 1 wallet request \(1 (signed|rejected)\)/) != nil, "\(report["summary"] ?? "")")
        #expect(report["turns"] as? Int == 3 && report["turn_bands"] as? Int == 3 && (report["span_bars"] as? Int ?? 0) >= 1)
        #expect((report["tool_spans"] as? [String])?.first?.firstMatch(of: /^get_price \d+\.\d\d s → ETH trades at/) != nil, "\(report["tool_spans"] ?? "")")
        let card = try #require((report["wallet_cards"] as? [String])?.first)
        #expect(
            (card.contains("wallet_tx_request rejected") || card.contains("wallet_tx_request signed 0x")) && card.contains(" ETH (") && card.contains("wei)")
                && card.contains("(selector)"), "\(card)")
        #expect(report["session_overflows"] as? Bool == false)

        // An exchange you can read.
        #expect((report["source_page"] as? String)?.hasPrefix("GET /api/state") == true || (report["source_page"] as? String)?.hasPrefix("POST /api/chat") == true)
        #expect(report["exchange_overflows"] as? Bool == false, "the request line wraps")
        #expect((report["parameters"] as? [String])?.contains("user_state") == true, "\(report["parameters"] ?? "")")
        #expect(report["has_previous_next"] as? [Bool] == [true, true])
        #expect((report["curl"] as? String)?.hasPrefix("curl") == true && (report["curl"] as? String)?.contains("X-Session-Id: \(session)") == true)
        let changes = try #require(report["poll_changes"] as? [String])
        #expect(changes.contains { $0.hasPrefix("+ messages[") || $0.hasPrefix("~ ") }, "\(changes)")
        #expect((report["changes_heading"] as? [String])?.first?.hasPrefix("Changes since poll ") == true)

        // A rerun beside its original.
        #expect((report["compare_text"] as? String)?.contains("wallet request changed") == true)
        #expect((report["compare_marks"] as? [Int])?.allSatisfy { $0 > 0 } == true)

        // Search: totals, inflections, the hit's message highlighted, and pages with no hit.
        #expect((report["search_totals"] as? String)?.firstMatch(of: /^\d+ messages in \d+ sessions$/) != nil, "\(report["search_totals"] ?? "")")
        #expect((report["search_hits"] as? Int ?? 0) > 0 && (report["search_marks"] as? [String])?.first?.lowercased() == "swap", "swapped finds swap")
        #expect(report["hit_outline"] as? String == "solid", "the hit's message is highlighted")
        let noMatch = try #require(report["no_match_text"] as? String)
        #expect(noMatch.contains("No message matches.") && !noMatch.contains("<p"), "\(noMatch)")
        #expect((report["past_last_text"] as? String)?.contains("Page 999 is past the last page of results") == true)
        #expect((report["not_found_footer"] as? String)?.hasPrefix("index updated 2") == true, "\(report["not_found_footer"] ?? "")")
        #expect(report["unbound_heading"] as? String == "Exchanges without a session" && (report["unbound_rows"] as? Int ?? 0) > 0)
        let emptyText = try #require(report["empty_text"] as? String)
        #expect(emptyText.contains("Nothing indexed yet") && !emptyText.contains("<p"), "\(emptyText)")
        #expect((report["console_errors"] as? [Any])?.isEmpty == true, "\(report["console_errors"] ?? "")")
    }
}
