import AomiAPI
import AomiSimulator
import Foundation
import GRDB
import TestSupport
import Testing
import WARC

@testable import ArchiveIndex

/// Runs against both stores (`IndexBackend`): the same archive indexed into SQLite and into
/// PostgreSQL must give the same rows and the same answers.
@Suite(.timeLimit(.minutes(10))) struct ArchiveIndexTests {
    /// Every table's rows as text, in a stable order, with row ids replaced by what they
    /// stand for (a file's identity, a record's WARC-Record-ID): files found in another order
    /// get other ids, not other rows. Left out: when a file was read, its path, and each
    /// store's own search columns (SQLite's `scope`, PostgreSQL's `search`), whose content is
    /// under `fts` (`crossStore` leaves that out too, to compare the two stores).
    static func dump(_ location: String, crossStore: Bool = false) throws -> [String: [String]] {
        let database = try ArchiveDatabase.openExisting(location: location)
        let files = Dictionary(uniqueKeysWithValues: try database.rows("SELECT id, identity FROM files").map { ($0.string("id")!, $0.string("identity")!) })
        let records = Dictionary(uniqueKeysWithValues: try database.rows("SELECT id, record_id FROM records").map { ($0.string("id")!, $0.string("record_id") ?? "?") })
        let skipped: Set<String> = ["indexed_at", "path", "scope", "search"]
        var tables: [String: [String]] = [:]
        for table in ["files", "records", "sessions", "titles", "messages", "events", "damage"] {
            tables[table] = try database.rows("SELECT * FROM \(table)").map { row in
                row.columns.keys.sorted().filter { !skipped.contains($0) && !($0 == "id" && table != "sessions") }.map { column -> String in
                    let value = row.string(column)
                    return switch column {
                    case "file_id": "file=\(value.flatMap { files[$0] } ?? "?")"
                    case "record": "record=\(value.flatMap { records[$0] } ?? "NULL")"
                    default: "\(column)=\(value ?? "NULL")"
                    }
                }.joined(separator: " ")
            }.sorted()
        }
        if !crossStore {
            let text = database.isPostgres ? "SELECT search::text AS content FROM messages" : "SELECT content FROM messages_fts"
            tables["fts"] = try database.rows(text).map { $0.string("content") ?? "" }.sorted()
        }
        return tables
    }

    private func index(_ root: String, into location: String) throws -> IndexRunReport {
        try ArchiveIndexer(database: ArchiveDatabase(location: location), root: root).run()
    }

    @Test(arguments: IndexBackend.testable) func everyMessageOnceInItsFinalFormAndSearchFindsItsThread(_ backend: IndexBackend) async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        let indexLocation = try await backend.newIndex(in: recorded.root)
        var report = try await recorded.drive(wallets: 1, threads: 3, seed: 1)
        report.threads += try await recorded.drive(wallets: 1, threads: 1, seed: 2).threads
        try await recorded.stop()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(Set(report.threads.map(\.wallet)).count == 2)
        let run = try index(recorded.root, into: indexLocation)
        #expect(run.damage.isEmpty)
        let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(location: indexLocation))

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
        let unknown = #expect(throws: IndexError.self, "an unknown session is named, not an empty result") {
            try queries.search(SearchQuery(text: word, session: "no-such-session"))
        }
        #expect(unknown?.description == "no session no-such-session in the index")

        let listed = try queries.threads(wallet: thread.wallet)
        #expect(Set(listed.map(\.session)) == Set(report.threads.filter { $0.wallet == thread.wallet }.map(\.sessionID)))
        #expect(listed.map(\.lastActivity) == listed.map(\.lastActivity).sorted(by: { ($0 ?? "") > ($1 ?? "") }), "newest first")
    }

    /// The documented views (docs/INDEX.md) answer what people ask `sqlite3`: every exchange
    /// with its answer, every message with its wallet and title.
    /// The same recording indexed into both stores: the same rows, table by table, and the
    /// same answers to every question the commands ask (search ranks aside: bm25 and
    /// `ts_rank_cd` weigh differently).
    @Test(.tags(.postgres), .needs(.postgres)) func bothStoresHoldTheSameRowsAndAnswerAlike() async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        let report = try await recorded.drive(wallets: 2, threads: 2, seed: 7)
        try await recorded.stop()
        let sqlite = try await IndexBackend.sqlite.newIndex(in: recorded.root)
        let postgres = try await IndexBackend.postgres.newIndex(in: recorded.root)
        let loaded = try [sqlite, postgres].map { try index(recorded.root, into: $0) }
        #expect(loaded[0].recordsLoaded == loaded[1].recordsLoaded && loaded[0].messagesWritten == loaded[1].messagesWritten)
        #expect(loaded[0].eventsWritten == loaded[1].eventsWritten)
        let rows = try [sqlite, postgres].map { try Self.dump($0, crossStore: true) }
        for table in rows[0].keys.sorted() {
            #expect(rows[0][table]! == rows[1][table]!, "\(table)")
            #expect(!rows[0][table]!.isEmpty || table == "damage", "\(table) has rows")
        }
        let queries = try [sqlite, postgres].map { ArchiveQueries(database: try ArchiveDatabase.openExisting(location: $0)) }
        func both<T: Equatable>(_ question: String, _ ask: (ArchiveQueries) throws -> T) throws {
            let answers = try queries.map(ask)
            #expect(answers[0] == answers[1], "\(question)")
        }
        for thread in report.threads {
            try both("threads of \(thread.wallet)") { try $0.threads(wallet: thread.wallet) }
            try both("transcript of \(thread.sessionID)") { try $0.transcript(session: thread.sessionID) }
            try both("files of \(thread.sessionID)") { try $0.files(holdingSessions: [thread.sessionID]) }
            try both("activity of \(thread.wallet)") { try $0.activity(wallet: thread.wallet) }
            try both("titles of \(thread.wallet)") { try $0.titles(wallet: thread.wallet) }
        }
        try both("wallets") { try $0.wallets() }
        try both("counts") { try $0.counts() }
        let words = Set(report.threads.flatMap { $0.messages.flatMap { $0.content.split { !$0.isLetter }.map(String.init) } }).sorted().prefix(40)
        for text in words.map({ $0 }) + ["ETH AND NOT swap", "\"to USDC\"", "sw*", "from:user", "in:title eth"] {
            try both("search \(text)") { try $0.search(SearchQuery(text: text, limit: 100)).map { "\($0.session) \($0.position) \($0.snippet)" }.sorted() }
        }
    }

    @Test(arguments: IndexBackend.testable) func theDocumentedViewsAndSchemaVersionAreThere(_ backend: IndexBackend) async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        let indexLocation = try await backend.newIndex(in: recorded.root)
        let report = try await recorded.drive(wallets: 1, threads: 1, seed: 3)
        try await recorded.stop()
        _ = try index(recorded.root, into: indexLocation)
        let database = try ArchiveDatabase.openExisting(location: indexLocation)
        func count(_ sql: String) throws -> Int { try database.rows(sql).first?.int("n") ?? -1 }
        if database.isPostgres {
            #expect(try count("SELECT max(version) AS n FROM schema_migrations") == PostgresSchema.currentVersion)
        } else {
            #expect(try count("SELECT user_version AS n FROM pragma_user_version") == 5)
        }
        let requests = try count("SELECT count(*) AS n FROM records WHERE type = 'request'")
        #expect(try count("SELECT count(*) AS n FROM exchanges") == requests)
        #expect(try count("SELECT count(*) AS n FROM exchanges WHERE answer_type IS NULL") == 0, "every request has its answer")
        #expect(try count("SELECT count(*) AS n FROM exchanges WHERE answer_type = 'revisit'") > 0)
        let thread = try #require(report.threads.first)
        let messages = try database.rows("SELECT content FROM chat_messages WHERE session = ? ORDER BY position", [thread.sessionID])
        #expect(messages.map { $0.string("content") } == thread.messages.map(\.content))
        #expect(try database.rows("SELECT DISTINCT wallet FROM chat_messages WHERE session = ?", [thread.sessionID]).map { $0.string("wallet") } == [thread.wallet])
    }

    @Test(arguments: IndexBackend.testable) func badQueriesAreClearErrorsAndNeverSQL(_ backend: IndexBackend) async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        let indexLocation = try await backend.newIndex(in: recorded.root)
        _ = try await recorded.drive(wallets: 1, threads: 1, messages: 1)
        try await recorded.stop()
        _ = try index(recorded.root, into: indexLocation)
        let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(location: indexLocation))
        for bad in ["\"unbalanced", "*", "-price", "(eth", "price) OR (swap"] {
            #expect(throws: IndexError.self, "\(bad)") { try queries.search(SearchQuery(text: bad)) }
        }
        let injection = "\"x' OR 1=1; DROP TABLE messages; --\""
        #expect(try queries.search(SearchQuery(text: injection)).isEmpty, "a quoted phrase that matches nothing")
        #expect(try queries.counts()["messages"]! > 0, "the table is still there")
        #expect(throws: IndexError.self) { try TimeExpression.parse("yesterday-ish") }
    }

    @Test(arguments: IndexBackend.testable) func indexingTwiceChangesNothingAndARebuildGivesTheSameRows(_ backend: IndexBackend) async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        let indexLocation = try await backend.newIndex(in: recorded.root)
        _ = try await recorded.drive(wallets: 2, threads: 1)
        try await recorded.stop()
        let first = try index(recorded.root, into: indexLocation)
        #expect(first.recordsLoaded > 0)
        let before = try Self.dump(indexLocation)
        let second = try index(recorded.root, into: indexLocation)
        #expect(second.recordsLoaded == 0 && second.filesRead == 0)
        #expect(try Self.dump(indexLocation) == before)
        let rebuilt = try await backend.newIndex(in: recorded.root)
        _ = try index(recorded.root, into: rebuilt)
        #expect(try Self.dump(rebuilt) == before)
    }

    @Test(arguments: IndexBackend.testable) func aGrowingArchiveIsContinuedNotReread(_ backend: IndexBackend) async throws {
        let recorded = try await RecordingFixture.start(recorderID: "index-test")
        defer { recorded.remove() }
        let indexLocation = try await backend.newIndex(in: recorded.root)
        _ = try await recorded.drive(wallets: 1, threads: 1, seed: 1)
        let first = try index(recorded.root, into: indexLocation)
        let open = try FileManager.default.subpathsOfDirectory(atPath: recorded.root).filter { $0.hasSuffix(".open") }
        #expect(!open.isEmpty, "the recorder is still writing")
        let report = try await recorded.drive(wallets: 1, threads: 1, seed: 2)
        let second = try index(recorded.root, into: indexLocation)
        #expect(second.recordsLoaded > 0)
        let total = try ArchiveQueries(database: try ArchiveDatabase.openExisting(location: indexLocation)).counts()["records"]!
        #expect(first.recordsLoaded + second.recordsLoaded == total, "nothing read twice")
        try await recorded.stop()
        let third = try index(recorded.root, into: indexLocation)
        let final = try ArchiveQueries(database: try ArchiveDatabase.openExisting(location: indexLocation)).counts()["records"]!
        #expect(
            first.recordsLoaded + second.recordsLoaded + third.recordsLoaded == final,
            "closing renamed the files (and ended open streams): they are recognised and continued, not re-read")
        #expect(third.recordsLoaded < 10)
        let rebuilt = try await backend.newIndex(in: recorded.root)
        _ = try index(recorded.root, into: rebuilt)
        #expect(try Self.dump(rebuilt) == Self.dump(indexLocation))
        let transcript = try ArchiveQueries(database: try ArchiveDatabase.openExisting(location: indexLocation)).transcript(session: report.threads[0].sessionID)
        #expect(transcript.entries.filter { $0.kind == .message }.map(\.text) == report.threads[0].messages.map(\.content))
    }

    @Test(arguments: IndexBackend.testable) func aDamagedArchiveIsIndexedUpToTheDamage(_ backend: IndexBackend) async throws {
        // A declared session: a chat and its polls, every one a new snapshot.
        let recorded = ArchiveBuilder()
        defer { recorded.remove() }
        let wallet = "0xcbd68b388f50bf5f10ec0629199b0ea3a0922f9f"
        var messages: [ChatMessage] = []
        for turn in 1...4 {
            messages.append(ChatMessage(sender: turn % 2 == 1 ? "user" : "agent", content: "message \(turn)"))
            try await recorded.json(session: "damaged-session", wallet: wallet, "GET", "/api/state", SessionSnapshot(messages: messages))
        }
        try await recorded.close()
        let indexLocation = try await backend.newIndex(in: recorded.root)
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
        let run = try index(recorded.root, into: indexLocation)
        #expect(run.damage.count == 1)
        #expect(run.damage.first?.offset == victim.offset && run.damage.first?.file == file)
        let counts = try ArchiveQueries(database: try ArchiveDatabase.openExisting(location: indexLocation)).counts()
        #expect(counts["damage"] == 1)
        #expect(counts["records"] == others + intact.count - 1, "every record but the damaged one")
        #expect(run.knownDamage.isEmpty)
        // A second run reads nothing of the unchanged file, and still says it is damaged.
        let again = try index(recorded.root, into: indexLocation)
        #expect(again.recordsLoaded == 0 && again.damage.isEmpty)
        #expect(again.knownDamage.map(\.offset) == [victim.offset] && again.knownDamage.first?.file == file, "\(again.knownDamage)")
    }
}

extension RecordingFixture {
    /// Where the index tests put a SQLite index: beside the archives, as `index` does by default.
    var databasePath: String { root + "/index.sqlite" }
}
