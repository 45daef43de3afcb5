import AomiAPI
import AomiSimulator
import ArchiveIndex
import Foundation
import GRDB
import TestSupport
import Testing
import WARC

@Suite struct ArchiveIndexTests {
    /// Every table's rows as text, in a stable order (the run time of a file left out).
    /// Every table's rows, with row ids replaced by what they stand for (a file's identity, a
    /// record's WARC-Record-ID): files found in another order get other ids, not other rows.
    private func dump(_ path: String) throws -> [String: [String]] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            let files = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, identity FROM files").map { ($0["id"] as Int64, $0["identity"] as String) })
            let records = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, record_id FROM records").map { ($0["id"] as Int64, ($0["record_id"] as String?) ?? "?") })
            var tables: [String: [String]] = [:]
            for table in ["files", "records", "sessions", "titles", "messages", "events", "damage"] {
                tables[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { row in
                    row.columnNames.filter { $0 != "indexed_at" && $0 != "path" && !($0 == "id" && table != "sessions") }.map { column -> String in
                        switch column {
                        case "file_id": "file=\(files[row[column] as Int64] ?? "?")"
                        case "record": "record=\((row[column] as Int64?).flatMap { records[$0] } ?? "NULL")"
                        default: "\(column)=\(row[column] as DatabaseValue)"
                        }
                    }.joined(separator: " ")
                }.sorted()
            }
            tables["fts"] = try String.fetchAll(db, sql: "SELECT content FROM messages_fts").sorted()
            return tables
        }
    }

    private func index(_ root: String, into path: String) throws -> IndexRunReport {
        try ArchiveIndexer(database: ArchiveDatabase(path: path), root: root).run()
    }

    @Test func everyMessageOnceInItsFinalFormAndSearchFindsItsThread() async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        var report = try await recorded.drive(wallets: 1, threads: 3, seed: 1)
        report.threads += try await recorded.drive(wallets: 1, threads: 1, seed: 2).threads
        try await recorded.stop()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(Set(report.threads.map(\.wallet)).count == 2)
        let run = try index(recorded.root, into: recorded.databasePath)
        #expect(run.damage.isEmpty)
        let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(path: recorded.databasePath))

        for thread in report.threads {
            let transcript = try queries.transcript(session: thread.sessionID)
            let messages = transcript.entries.filter { $0.kind == .message }
            #expect(messages.map(\.text) == thread.messages.map(\.content), "messages of \(thread.sessionID), once each, final text")
            #expect(messages.map(\.label) == thread.messages.map(\.sender))
            #expect(transcript.wallet == thread.wallet)
            #expect(transcript.title == thread.title)
            #expect(transcript.entries.contains { $0.kind == .event && $0.label == "tool_complete" } == thread.events.contains { $0.hasPrefix("tool_complete") })
            #expect(transcript.entries.contains { $0.kind == .system && $0.label == "InlineCall:wallet_tx_request" } == !thread.walletRequests.isEmpty)
        }
        let counts = try queries.counts()
        #expect(counts["messages"] == report.threads.map(\.messages.count).reduce(0, +), "no partial form of a streaming message is kept")

        // A word found in one thread only.
        let words = report.threads.map { thread in
            Set(thread.messages.flatMap { $0.content.lowercased().split { !$0.isLetter }.map(String.init) }.filter { $0.count > 4 })
        }
        var unique: (word: String, thread: ThreadReport)?
        for (index, thread) in report.threads.enumerated() {
            let others = words.enumerated().filter { $0.offset != index }.reduce(into: Set<String>()) { $0.formUnion($1.element) }
            if let word = words[index].subtracting(others).sorted().first {
                unique = (word, thread)
                break
            }
        }
        let (word, thread) = try #require(unique)
        let hits = try queries.search(SearchQuery(text: word))
        #expect(!hits.isEmpty && hits.allSatisfy { $0.session == thread.sessionID && $0.wallet == thread.wallet }, "\(word): \(hits)")
        #expect(hits.first?.snippet.lowercased().contains("[\(word)]") == true)
        let prefix = String(word.prefix(3))
        let prefixHits = try queries.search(SearchQuery(text: "\(prefix)* NOT zzzz", limit: 50, highlight: ("<b>", "</b>")))
        #expect(prefixHits.contains { $0.session == thread.sessionID })
        #expect(prefixHits.allSatisfy { $0.snippet.lowercased().contains("<b>\(prefix)") }, "\(prefixHits.map(\.snippet))")
        #expect(!prefixHits.contains { $0.snippet.contains("<b>zzzz") || $0.snippet.contains("<b>AND") })

        let otherWallet = try #require(report.threads.first { $0.wallet != thread.wallet }).wallet
        #expect(try queries.search(SearchQuery(text: word, wallet: otherWallet)).isEmpty)
        #expect(try queries.search(SearchQuery(text: word, wallet: thread.wallet.uppercased().replacingOccurrences(of: "0X", with: "0x"))).count == hits.count)
        let user = try queries.search(SearchQuery(text: "ETH", sender: .user, limit: 100))
        #expect(!user.isEmpty && user.allSatisfy { $0.sender == "user" })
        #expect(try queries.search(SearchQuery(text: word, since: TimeExpression.parse("1h"))).count == hits.count)
        #expect(try queries.search(SearchQuery(text: word, until: TimeExpression.parse("1h"))).isEmpty)
        #expect(try queries.search(SearchQuery(text: word, session: "no-such-session")).isEmpty)

        let listed = try queries.threads(wallet: thread.wallet)
        #expect(Set(listed.map(\.session)) == Set(report.threads.filter { $0.wallet == thread.wallet }.map(\.sessionID)))
        #expect(listed.map(\.lastActivity) == listed.map(\.lastActivity).sorted(by: { ($0 ?? "") > ($1 ?? "") }), "newest first")
    }

    /// The documented views (docs/INDEX.md) answer what people ask `sqlite3`: every exchange
    /// with its answer, every message with its wallet and title.
    @Test func theDocumentedViewsAndSchemaVersionAreThere() async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        let report = try await recorded.drive(wallets: 1, threads: 1, seed: 3)
        try await recorded.stop()
        _ = try index(recorded.root, into: recorded.databasePath)
        let queue = try DatabaseQueue(path: recorded.databasePath)
        try await queue.read { db in
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == 4)
            let requests = try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE type = 'request'") ?? 0
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM exchanges") == requests)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM exchanges WHERE answer_type IS NULL") == 0, "every request has its answer")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM exchanges WHERE answer_type = 'revisit'") ?? 0 > 0)
            let thread = try #require(report.threads.first)
            let messages = try String.fetchAll(db, sql: "SELECT content FROM chat_messages WHERE session = ? ORDER BY position", arguments: [thread.sessionID])
            #expect(messages == thread.messages.map(\.content))
            #expect(try String.fetchOne(db, sql: "SELECT DISTINCT wallet FROM chat_messages WHERE session = ?", arguments: [thread.sessionID]) == thread.wallet)
        }
    }

    @Test func badQueriesAreClearErrorsAndNeverSQL() async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        _ = try await recorded.drive(wallets: 1, threads: 1, messages: 1)
        try await recorded.stop()
        _ = try index(recorded.root, into: recorded.databasePath)
        let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(path: recorded.databasePath))
        for bad in ["\"unbalanced", "*", "-price", "(eth", "price) OR (swap"] {
            #expect(throws: IndexError.self, "\(bad)") { try queries.search(SearchQuery(text: bad)) }
        }
        let injection = "\"x' OR 1=1; DROP TABLE messages; --\""
        #expect(try queries.search(SearchQuery(text: injection)).isEmpty, "a quoted phrase that matches nothing")
        #expect(try queries.counts()["messages"]! > 0, "the table is still there")
        #expect(throws: IndexError.self) { try TimeExpression.parse("yesterday-ish") }
    }

    @Test func indexingTwiceChangesNothingAndARebuildGivesTheSameRows() async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        _ = try await recorded.drive(wallets: 2, threads: 1)
        try await recorded.stop()
        let first = try index(recorded.root, into: recorded.databasePath)
        #expect(first.recordsLoaded > 0)
        let before = try dump(recorded.databasePath)
        let second = try index(recorded.root, into: recorded.databasePath)
        #expect(second.recordsLoaded == 0 && second.filesRead == 0)
        #expect(try dump(recorded.databasePath) == before)
        let rebuilt = recorded.root + "/rebuilt.sqlite"
        _ = try index(recorded.root, into: rebuilt)
        #expect(try dump(rebuilt) == before)
    }

    @Test func aGrowingArchiveIsContinuedNotReread() async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        _ = try await recorded.drive(wallets: 1, threads: 1, seed: 1)
        let first = try index(recorded.root, into: recorded.databasePath)
        let open = try FileManager.default.subpathsOfDirectory(atPath: recorded.root).filter { $0.hasSuffix(".open") }
        #expect(!open.isEmpty, "the recorder is still writing")
        let report = try await recorded.drive(wallets: 1, threads: 1, seed: 2)
        let second = try index(recorded.root, into: recorded.databasePath)
        #expect(second.recordsLoaded > 0)
        let total = try ArchiveQueries(database: try ArchiveDatabase.openExisting(path: recorded.databasePath)).counts()["records"]!
        #expect(first.recordsLoaded + second.recordsLoaded == total, "nothing read twice")
        try await recorded.stop()
        let third = try index(recorded.root, into: recorded.databasePath)
        let final = try ArchiveQueries(database: try ArchiveDatabase.openExisting(path: recorded.databasePath)).counts()["records"]!
        #expect(
            first.recordsLoaded + second.recordsLoaded + third.recordsLoaded == final,
            "closing renamed the files (and ended open streams): they are recognised and continued, not re-read")
        #expect(third.recordsLoaded < 10)
        let rebuilt = recorded.root + "/rebuilt.sqlite"
        _ = try index(recorded.root, into: rebuilt)
        #expect(try dump(rebuilt) == dump(recorded.databasePath))
        let transcript = try ArchiveQueries(database: try ArchiveDatabase.openExisting(path: recorded.databasePath)).transcript(session: report.threads[0].sessionID)
        #expect(transcript.entries.filter { $0.kind == .message }.map(\.text) == report.threads[0].messages.map(\.content))
    }

    @Test func aDamagedArchiveIsIndexedUpToTheDamage() async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        _ = try await recorded.drive(wallets: 1, threads: 1)
        try await recorded.stop()
        let names = try FileManager.default.subpathsOfDirectory(atPath: recorded.root).filter { $0.hasSuffix(".warc.gz") }
        let name = try #require(names.first { $0.hasPrefix("0x") })
        let file = recorded.root + "/" + name
        let intact = try WARCFileReader.readAll(path: file).records
        let others = try names.filter { $0 != name }.reduce(0) { $0 + (try WARCFileReader.readAll(path: recorded.root + "/" + $1).records.count) }
        let victim = intact[intact.count / 2]
        let handle = try #require(FileHandle(forUpdatingAtPath: file))
        try handle.seek(toOffset: UInt64(victim.offset + 20))
        try handle.write(contentsOf: Data(repeating: 0x55, count: 16))
        try handle.close()
        let run = try index(recorded.root, into: recorded.databasePath)
        #expect(run.damage.count == 1)
        #expect(run.damage.first?.offset == victim.offset && run.damage.first?.file == file)
        let counts = try ArchiveQueries(database: try ArchiveDatabase.openExisting(path: recorded.databasePath)).counts()
        #expect(counts["damage"] == 1)
        #expect(counts["records"] == others + intact.count - 1, "every record but the damaged one")
    }
}

extension RecordingFixture {
    /// Where the index tests put the index: beside the archives, as `index` does by default.
    var databasePath: String { root + "/index.sqlite" }
}
