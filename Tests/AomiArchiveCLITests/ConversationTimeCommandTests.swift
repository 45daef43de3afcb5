import AomiAPI
import Foundation
import TestSupport
import Testing

/// A new user's path through the commands: chats driven and dated ten days ago, crawled
/// later, indexed; then `threads`, `show`, `search` and the other commands' JSON.
@Suite struct ConversationTimeCommandTests {
    private func lines(_ result: CommandRunner.Result) throws -> [[String: Any]] {
        try result.standardOutput.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aCrawledArchiveShowsWhenThingsWereSaidAndARecrawlChangesNoTime() async throws {
        let root = TemporaryDirectory.path("aomi-time")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sim = try BackgroundCommand(["sim", "--listen", "127.0.0.1:0", "--pace", "polls:2", "--message-age", "10d"])
        defer { sim.signal(SIGTERM) }
        let url = try await sim.waitForURL()
        let driven = try await CommandRunner.succeeded(["sim", "drive", "--target", url, "--wallets", "1", "--threads", "2", "--messages", "2", "--poll", "10ms", "--json"])
        let drive = try #require(try JSONSerialization.jsonObject(with: Data(driven.standardOutput.utf8)) as? [String: Any])
        let threads = try #require(drive["threads"] as? [[String: Any]])
        #expect(drive["request_count"] is Int)
        #expect(threads.allSatisfy { $0["session_id"] is String && $0["sent_messages"] is [String] && $0["listed_in_threads"] as? Bool == true })
        let wallet = try #require(threads.first?["wallet"] as? String)
        let session = try #require(threads.first?["session_id"] as? String)

        _ = try await CommandRunner.succeeded(["crawl", "--upstream", url, "--wallet", wallet, "--archives", root])
        _ = try await CommandRunner.succeeded(["index", "--archives", root])
        let listed = try lines(try await CommandRunner.succeeded(["threads", "--wallet", wallet, "--archives", root, "--json"]))
        #expect(listed.count == 2)
        for thread in listed {
            #expect(Set(thread.keys).isSuperset(of: ["session_id", "wallet", "title", "message_count", "first_activity", "last_activity", "first_seen", "last_seen"]))
            let activity = try #require(WARCTime.date(thread["last_activity"]))
            let seen = try #require(WARCTime.date(thread["last_seen"]))
            #expect(seen.timeIntervalSince(activity) > 9 * 86_400, "activity is when the chat happened, not when it was crawled")
        }
        let shown = try #require(try lines(try await CommandRunner.succeeded(["show", session, "--archives", root, "--json"])).first)
        #expect(shown["session_id"] as? String == session && shown["wallet"] as? String == wallet)
        let messages = try #require(shown["entries"] as? [[String: Any]]).filter { $0["kind"] as? String == "message" }
        #expect(!messages.isEmpty)
        for message in messages {
            #expect(Set(message.keys).isSuperset(of: ["time", "label", "text", "position", "timestamp", "first_seen", "last_seen"]))
            let said = try #require(WARCTime.date(message["time"]))
            #expect(Date().timeIntervalSince(said) > 9 * 86_400)
        }

        let word = try #require((threads.first?["sent_messages"] as? [String])?.first?.split(separator: " ").first.map(String.init))
        let recent = try lines(try await CommandRunner.succeeded(["search", word, "--archives", root, "--since", "7d", "--json"]))
        #expect(recent.map { $0["kind"] as? String } == ["query"], "nothing was said in the last week: \(recent)")
        #expect(recent.first?["understood"] as? String == word)
        let older = try lines(try await CommandRunner.succeeded(["search", word, "--archives", root, "--until", "7d", "--json"])).filter { $0["kind"] as? String == "hit" }
        #expect(!older.isEmpty)
        #expect(older.allSatisfy { Set($0.keys).isSuperset(of: ["session_id", "wallet", "time", "sender", "position", "snippet", "rank"]) })

        _ = try await CommandRunner.succeeded(["crawl", "--upstream", url, "--wallet", wallet, "--archives", root])
        _ = try await CommandRunner.succeeded(["index", "--archives", root])
        let relisted = try lines(try await CommandRunner.succeeded(["threads", "--wallet", wallet, "--archives", root, "--json"]))
        let activity = { (rows: [[String: Any]]) in rows.map { "\($0["session_id"] ?? "") \($0["first_activity"] ?? "") \($0["last_activity"] ?? "")" }.sorted() }
        #expect(activity(relisted) == activity(listed), "a recrawl of the unchanged wallet changes no conversation time")
        let reshown = try #require(try lines(try await CommandRunner.succeeded(["show", session, "--archives", root, "--json"])).first)
        let times = { (transcript: [String: Any]) in ((transcript["entries"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "message" }.map { "\($0["time"] ?? "")" }
        }
        #expect(times(reshown) == times(shown))

        let verified = try lines(try await CommandRunner.succeeded(["verify", "--archives", root, "--json"]))
        #expect(verified.count == 1 && verified[0]["passed"] as? Bool == true && verified[0]["session_count"] is Int && verified[0]["request_count"] is Int)
        let file = try #require(try FileManager.default.subpathsOfDirectory(atPath: root).first { $0.hasSuffix(".warc.gz") })
        let inspected = try lines(try await CommandRunner.succeeded(["inspect", "--json", root + "/" + file]))
        #expect(inspected.contains { $0["kind"] as? String == "record" && $0["session_id"] as? String != nil && $0["record_id"] is String && $0["target_uri"] is String })
        #expect(inspected.last.map { $0["kind"] as? String == "summary" && $0["records_by_type"] is [String: Int] && $0["stored_bytes"] is Int } == true)
    }
}

/// The index's times (`2026-11-29T19:47:07.000000Z`) as dates.
enum WARCTime {
    static func date(_ value: Any?) -> Date? {
        guard let text = value as? String else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
