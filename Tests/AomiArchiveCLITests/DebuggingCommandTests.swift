import AomiAPI
import AsyncHTTPClient
import Foundation
import HTTPServing
import Hummingbird
import TestSupport
import Testing

/// The commands a person debugs a conversation with, on the demo's archive (two wallets, five
/// sessions with tools, a signed and a rejected wallet request, and reruns): sessions as
/// turns, the wallet list, search totals, counts in words.
@Suite(.serialized) struct DebuggingCommandTests {
    struct Demo: Sendable {
        let root: String
        let output: String
    }

    static let demo = Task { () throws -> Demo in
        let root = TemporaryDirectory.path("aomi-debugging")
        TemporaryDirectory.removeAtExit(root)
        let result = try await CommandRunner.run(["demo", "--dir", root])
        try #require(result.status == 0, "\(result.standardError)")
        return Demo(root: root, output: result.standardOutput)
    }

    /// A session holding the conversation the driver has each wallet's first thread hold:
    /// a price question (a tool), staking, and a swap the user signs or rejects (the wallet
    /// decides which).
    private func session(_ demo: Demo) async throws -> String {
        try await Self.session(matching: "\"price of ETH\" from:user", in: demo.root)
    }

    /// The session of the first hit of a search.
    static func session(matching query: String, in root: String) async throws -> String {
        let result = try await CommandRunner.run(["search", query, "--archives", root, "--json"])
        let hit = try #require(result.standardOutput.split(separator: "\n").dropFirst().first, "\(query): \(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(hit.utf8)) as? [String: Any])
        return try #require(object["session_id"] as? String)
    }

    @Test func showPrintsTheSessionAsTurnsWithToolSpansAndWalletCards() async throws {
        let demo = try await Self.demo.value
        let shown = try await CommandRunner.succeeded(["show", try await session(demo), "--archives", demo.root]).standardOutput
        #expect(shown.firstMatch(of: /3 turns · 1 tool · 1 wallet request \(1 (signed|rejected)\)/) != nil, "\(shown)")
        #expect(shown.contains("slowest turn "))
        #expect(shown.firstMatch(of: /turn 1  \S+Z  took \d+\.\d\d s · first text \d+\.\d\d s · \d+ polls/) != nil, "\(shown)")
        #expect(shown.firstMatch(of: /\s\stool get_price  \d+\.\d\d s  → ETH trades at/) != nil, "\(shown)")
        #expect(
            shown.firstMatch(of: /wallet_tx_request to 0x[0-9a-f]{40} · 0\.\d+ ETH \(\d+ wei\) · data 0x[0-9a-f]{8} · chain 1 → (signed 0x[0-9a-f]{64}|rejected) after/) != nil,
            "\(shown)")
        let transcript = try await CommandRunner.succeeded(["show", try await session(demo), "--archives", demo.root, "--transcript"]).standardOutput
        #expect(transcript.contains("[event tool_complete]") && !transcript.contains("turns ·"))
    }

    @Test func showJSONHoldsTheTurnsAndTheirSummary() async throws {
        let demo = try await Self.demo.value
        let line = try await CommandRunner.succeeded(["show", try await session(demo), "--archives", demo.root, "--json"]).standardOutput
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["session_id"] as? String == (try await session(demo)), "the transcript's fields stay")
        let turns = try #require(object["turns"] as? [[String: Any]])
        #expect(turns.count == 3)
        let span = try #require((turns[0]["tool_spans"] as? [[String: Any]])?.first)
        #expect(span["name"] as? String == "get_price" && (span["seconds"] as? Double ?? 0) > 0)
        let card = try #require((turns[2]["wallet_cards"] as? [[String: Any]])?.first)
        #expect(["signed", "rejected"].contains(card["outcome"] as? String ?? "") && card["user_seconds"] != nil, "\(card)")
        let summary = try #require(object["summary"] as? [String: Any])
        let outcomes = (summary["signed"] as? Int ?? 0) + (summary["rejected"] as? Int ?? 0)
        #expect(summary["turns"] as? Int == 3 && outcomes == 1 && summary["slowest_turn"] != nil, "\(summary)")
    }

    /// A signed swap's card carries the transaction hash; a rejected one says so.
    @Test func signedAndRejectedRequestsShowTheirOutcome() async throws {
        let demo = try await Self.demo.value
        let signed = try await Self.session(matching: "\"wallet signed\" from:system", in: demo.root)
        let shown = try await CommandRunner.succeeded(["show", signed, "--archives", demo.root]).standardOutput
        #expect(shown.firstMatch(of: /→ signed 0x[0-9a-f]{64} after\s/) != nil, "\(shown)")
        let rejected = try await Self.session(matching: "\"wallet rejected\" from:system", in: demo.root)
        let refused = try await CommandRunner.succeeded(["show", rejected, "--archives", demo.root]).standardOutput
        #expect(refused.firstMatch(of: /· chain 1 → rejected after \d/) != nil && refused.contains("(1 rejected)"), "\(refused)")
    }

    @Test func walletsListsEveryWalletWithItsCounts() async throws {
        let demo = try await Self.demo.value
        let listed = try await CommandRunner.succeeded(["wallets", "--archives", demo.root]).standardOutput
        let rows = listed.split(separator: "\n").filter { $0.hasPrefix("0x") }
        #expect(rows.count == 2, "\(listed)")
        #expect(listed.contains("2 wallets, ") && listed.contains("exchanges without a session"), "\(listed)")
        let json = try await CommandRunner.succeeded(["wallets", "--archives", demo.root, "--json"]).standardOutput.split(separator: "\n")
        let objects = try json.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.filter { $0["kind"] as? String == "wallet" }.map { $0["thread_count"] as? Int ?? 0 }.reduce(0, +) == 8, "four threads and their four reruns")
        #expect((objects.last?["exchanges"] as? Int ?? 0) > 0 && objects.last?["kind"] as? String == "sessionless")
    }

    @Test func searchSaysHowManyMessagesAndSessionsMatch() async throws {
        let demo = try await Self.demo.value
        let result = try await CommandRunner.succeeded(["search", "swap", "--archives", demo.root, "--limit", "2"])
        #expect(result.standardOutput.split(separator: "\n").count == 2)
        #expect(result.standardError.firstMatch(of: /\d+ messages in \d+ sessions, 2 hits shown \(--limit\)/) != nil, "\(result.standardError)")
        let inflected = try await CommandRunner.succeeded(["search", "swapped", "--archives", demo.root])
        #expect(inflected.standardOutput.contains("[Swap]"), "swapped finds Swap: \(inflected.standardOutput.prefix(300))")
        let prefix = try await CommandRunner.succeeded(["search", String(try #require(demo.output.firstMatch(of: /wallet (0x[0-9a-f]{10})/)?.output.1)), "--archives", demo.root])
        #expect(!prefix.standardOutput.isEmpty, "a wallet's start finds its messages")
    }

    /// Identical messages of one session fold into one hit with its count; all hits shown is
    /// not "cut by --limit" however many messages they stand for.
    @Test func foldedHitsAreNotMistakenForHitsLeftOut() async throws {
        let router = Router()
        router.get("/api/state") { _, _ in
            let notice = ChatMessage(sender: "system", content: "Gas fees are high", timestamp: "2026-06-01T10:00:00Z")
            let question = ChatMessage(sender: "user", content: "what about the gas fee?", timestamp: "2026-06-01T10:00:00Z")
            return Response.json(JSONCoding.encode(SessionSnapshot(messages: [notice, question, notice, notice], title: "Fees")))
        }
        let upstream = try await ApplicationServer.start(router: router)
        let fixture = try await RecordingFixture.start(upstream: upstream.baseURL, recorderID: "folded")
        TemporaryDirectory.removeAtExit(fixture.root)
        var request = HTTPClientRequest(url: fixture.server.baseURL + "/api/state?public_key=0x" + String(repeating: "2", count: 40))
        request.headers.add(name: "X-Session-Id", value: "fees")
        _ = try await fixture.client.execute(request, timeout: .seconds(60)).body.collect(upTo: 1 << 20)
        _ = try await fixture.stop()
        await upstream.stop()
        _ = try await CommandRunner.succeeded(["index", "--archives", fixture.root])

        let all = try await CommandRunner.succeeded(["search", "gas fee", "--archives", fixture.root])
        #expect(all.standardOutput.split(separator: "\n").count == 2 && all.standardOutput.contains("(×3 in this session)"), "\(all.standardOutput)")
        #expect(all.standardError == "4 messages in 1 session\n", "\(all.standardError)")
        let cut = try await CommandRunner.succeeded(["search", "gas fee", "--archives", fixture.root, "--limit", "1"])
        #expect(cut.standardError == "4 messages in 1 session, 1 hit shown (--limit)\n", "\(cut.standardError)")
    }

    @Test func countsAgreeInNumber() async throws {
        let demo = try await Self.demo.value
        let output = TemporaryDirectory.path("aomi-export-one") + ".har"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let exported = try await CommandRunner.succeeded(["export", "--archives", demo.root, "--session", try await session(demo), "--format", "har", "-o", output])
        #expect(exported.standardOutput.hasPrefix("exported 1 session, "), "\(exported.standardOutput)")
        #expect(!exported.standardOutput.contains("1 sessions"))
    }
}
