import Foundation
import GRDB
import TestSupport
import Testing

@testable import ArchiveIndex

/// The query language finds the same messages in PostgreSQL (`tsquery` over the words as the
/// SQLite index splits and folds them) as in SQLite's FTS5, query for query, on a real server.
@Suite(.serialized, .tags(.postgres), .needs(.postgres)) struct PostgresSearchParityTests {
    static let messages = [
        "The price of ETH is 2,080.55 USDC today",
        "Swap 1 ETH/USDC on uniswap, gas fee is low",
        "Staking rewards accrue every epoch",
        "Café au lait: ÉTÉ promotions",
        "Transaction 0x4e8b6b50c3d2 confirmed",
        "Bridge funds from mainnet to optimism",
        "I can prepare a swap for you; please confirm",
        "the gas fee spiked",
        "rewards for staking are paid weekly",
        "api.aomi.dev answered 502",
        "Don't swap now",
        "ETH price alerts set",
        "swapping is paused",
    ]

    static let queries = [
        "eth", "ETH/USDC", "\"gas fee\"", "eth OR staking", "(eth OR usdc) swap", "staking -swap", "swa*", "0x4e8b6b50",
        "cafe", "été", "2,080.55", "price NOT swap", "rewards staking", "\"staking rewards\"", "api.aomi.dev", "don't",
        "confirm -(swap OR bridge)", "gas*", "ETH price", "\"eth price\"", "nothing-here", "fees", "swapped", "\"gas fees\"", "reward -swapping",
    ]

    /// The ids (positions in `messages`) FTS5 finds for each query.
    private func sqliteMatches() throws -> [String: Set<Int>] {
        let queue = try DatabaseQueue()
        return try queue.write { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE m USING fts5(content, tokenize='unicode61')")
            for (id, content) in Self.messages.enumerated() {
                try db.execute(sql: "INSERT INTO m (rowid, content) VALUES (?, ?)", arguments: [id, content])
            }
            var found: [String: Set<Int>] = [:]
            for query in Self.queries {
                let expression = try #require(try ParsedQuery(query).fts5)
                found[query] = Set(try Int.fetchAll(db, sql: "SELECT rowid FROM m WHERE m MATCH ?", arguments: [expression]))
            }
            return found
        }
    }

    @Test(.timeLimit(.minutes(10))) func everyQueryFindsWhatFTS5Finds() async throws {
        let expected = try sqliteMatches()
        #expect(expected.values.contains { $0.count > 1 } && expected.values.contains(where: \.isEmpty), "the queries tell messages apart")
        try await PostgresServer.with { server in
            let connection = try PostgresConnection(try #require(PostgresLocation(try await server.createDatabase("parity"))))
            try PostgresSchema.migrate(connection)
            for (id, content) in Self.messages.enumerated() {
                try connection.execute(
                    """
                    INSERT INTO messages (id, session, position, sender, content, first_seen, last_seen, record, hash, search)
                    VALUES ($1, 's', $1, 'user', $2, '', '', 0, 0, to_tsvector('simple', $3))
                    """, [String(id), content, FullTextWords.searchText(of: content)])
            }
            for query in Self.queries {
                let tsquery = try #require(try ParsedQuery(query).tsquery)
                let rows = try connection.execute("SELECT id FROM messages WHERE search @@ $1::tsquery ORDER BY id", [tsquery])
                let found = Set(rows.firstColumn.compactMap { $0.flatMap(Int.init) })
                #expect(found == expected[query], "\(query) → \(tsquery)")
            }
        }
    }

    /// Threads of two wallets, the same rows in both stores.
    struct Row {
        var session: String
        var position: Int
        var sender: String
        var content: String
        var time: String
    }

    static let wallets = ["0x" + String(repeating: "1", count: 40), "0x" + String(repeating: "2", count: 40)]
    static let sessions: [(id: String, wallet: String, title: String)] = [
        ("s1", wallets[0], "Swap ETH to USDC"), ("s2", wallets[0], "Staking questions"), ("s3", wallets[1], "Bridge to optimism"),
    ]
    static let rows: [Row] = sessions.enumerated().flatMap { index, session in
        messages.enumerated().filter { $0.offset % 3 == index }.enumerated().map { position, message in
            Row(
                session: session.id, position: position, sender: ["user", "agent", "system"][position % 3], content: message.element,
                time: "2026-11-0\(1 + message.offset % 4)T\(10 + message.offset):00:00.000000Z")
        }
    }

    static let searches: [SearchQuery] = [
        SearchQuery(text: "eth"), SearchQuery(text: "swap -bridge"), SearchQuery(text: "eth OR staking", wallet: wallets[0]),
        SearchQuery(text: "from:agent swa*"), SearchQuery(text: "staking", session: "s3"), SearchQuery(text: "title:bridge optimism"),
        SearchQuery(text: "after:2026-11-02 eth OR swap"), SearchQuery(text: "wallet:\(wallets[0]) from:user"),
        SearchQuery(text: "before:2026-11-02T00:00:00Z swa*"), SearchQuery(text: "nothingmatches"), SearchQuery(text: "gas", sender: .system),
        SearchQuery(text: "title:swap"),
    ]

    /// A hit without its rank (bm25 and ts_rank_cd score differently).
    private func described(_ hit: SearchHit) -> String {
        "\(hit.session)#\(hit.position) \(hit.wallet ?? "-") \(hit.title ?? "-") \(hit.time) \(hit.sender) \(hit.snippet)"
    }

    private func sqliteIndex() throws -> (ArchiveDatabase, String) {
        let path = TemporaryDirectory.path("aomi-parity") + ".sqlite"
        let database = try ArchiveDatabase(path: path)
        guard case let .sqlite(pool) = database.store else { throw IndexError.database(path: path, reason: "not SQLite") }
        try pool.write { db in
            for session in Self.sessions {
                try db.execute(sql: "INSERT INTO sessions (id, wallet, title) VALUES (?, ?, ?)", arguments: [session.id, session.wallet, session.title])
                try db.execute(sql: "INSERT INTO titles (session, title, first_seen) VALUES (?, ?, '')", arguments: [session.id, session.title])
            }
            for (id, row) in Self.rows.enumerated() {
                let wallet = Self.sessions.first { $0.id == row.session }?.wallet
                let scope = SearchScope.tokens(wallet: wallet, session: row.session)
                try db.execute(
                    sql: """
                        INSERT INTO messages (id, session, position, sender, content, first_seen, last_seen, record, hash, scope, time)
                        VALUES (?, ?, ?, ?, ?, '', '', 0, 0, ?, ?)
                        """, arguments: [id + 1, row.session, row.position, row.sender, row.content, scope, row.time])
                try db.execute(sql: "INSERT INTO messages_fts (rowid, content, scope) VALUES (?, ?, ?)", arguments: [id + 1, row.content, scope])
            }
        }
        return (database, path)
    }

    private func postgresIndex(_ url: String) throws -> PostgresConnection {
        let connection = try PostgresConnection(try #require(PostgresLocation(url)))
        try PostgresSchema.migrate(connection)
        for session in Self.sessions {
            try connection.execute("INSERT INTO sessions (id, wallet, title) VALUES ($1, $2, $3)", [session.id, session.wallet, session.title])
            try connection.execute("INSERT INTO titles (session, title, first_seen) VALUES ($1, $2, '')", [session.id, session.title])
        }
        for (id, row) in Self.rows.enumerated() {
            try connection.execute(
                """
                INSERT INTO messages (id, session, position, sender, content, first_seen, last_seen, record, hash, time, search)
                VALUES ($1, $2, $3, $4, $5, '', '', 0, 0, $6, to_tsvector('simple', $7))
                """, [String(id + 1), row.session, String(row.position), row.sender, row.content, row.time, FullTextWords.searchText(of: row.content)])
        }
        return connection
    }

    @Test(.timeLimit(.minutes(10))) func searchesWithFiltersFindTheSameMessagesWithTheSameExcerpts() async throws {
        let (database, path) = try sqliteIndex()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let sqlite = ArchiveQueries(database: database)
        try await PostgresServer.with { server in
            let postgres = PostgresQueries(connection: try postgresIndex(try await server.createDatabase("search")))
            var nonEmpty = 0
            for search in Self.searches {
                let (expected, totals) = try sqlite.searchCounting(search)
                let answer = try postgres.search(search)
                let found = answer.hits
                #expect(answer.totals == totals, "\(search.text): the same totals")
                if !expected.isEmpty { nonEmpty += 1 }
                if try ParsedQuery(search.text).node == nil {
                    #expect(found.map(described) == expected.map(described), "\(search.text): the same messages, newest first")
                } else {
                    #expect(Set(found.map(described)) == Set(expected.map(described)), "\(search.text)")
                }
            }
            #expect(nonEmpty == Self.searches.count - 1, "every search but the one for a missing word finds something")
            #expect(throws: IndexError.self) { try postgres.search(SearchQuery(text: "-swap")) }
            #expect(throws: IndexError.self) { try postgres.search(SearchQuery(text: "\"unbalanced")) }
        }
    }

    /// The search text's fast path (ASCII words lower-cased byte by byte) gives what folding
    /// every word does.
    @Test func theSearchTextIsEveryWordFolded() {
        let samples = [
            "Swap 0.5 ETH/USDC on api.aomi.dev", "Café CAFÉ café-crème naïve ÆSIR", "Ünïcödé ǅungla ﬁne Straße İstanbul", "emoji 🚀🚀 rocket🚀ship",
            "tabs\tand\nnew lines", "", "   ", "_under_score_ 2,080.55 don't", "日本語のテキスト and ASCII", "x\u{0}y", "ＡＢＣ full width",
        ]
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("aZ9 ./-_éÉßİı🚀\t\u{301}ǅ日")
        let generated = (0..<300).map { _ in String((0..<Int.random(in: 0...24, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        for text in samples + generated {
            #expect(FullTextWords.searchText(of: text) == FullTextWords.words(in: text[...]).map(FullTextWords.fold).joined(separator: " "), "\(text.debugDescription)")
        }
    }

    @Test func userTextIsOnlyEverALexeme() throws {
        let tsquery = try #require(try ParsedQuery("it's \"a\\b\" x'y").tsquery)
        #expect(!tsquery.contains("\\b"), "\(tsquery)")
        for word in ["it", "a", "b", "x", "y"] { #expect(tsquery.contains("'\(word)'"), "\(tsquery)") }
    }
}
