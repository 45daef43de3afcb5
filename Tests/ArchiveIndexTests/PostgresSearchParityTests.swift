import Foundation
import GRDB
import TestSupport
import Testing

@testable import ArchiveIndex

/// The query language finds the same messages in PostgreSQL (`tsquery` over the words as the
/// SQLite index splits and folds them) as in SQLite's FTS5, query for query, on a real server.
@Suite(.serialized) struct PostgresSearchParityTests {
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
        "confirm -(swap OR bridge)", "gas*", "ETH price", "\"eth price\"", "nothing-here",
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

    @Test func userTextIsOnlyEverALexeme() throws {
        let tsquery = try #require(try ParsedQuery("it's \"a\\b\" x'y").tsquery)
        #expect(!tsquery.contains("\\b"), "\(tsquery)")
        for word in ["it", "a", "b", "x", "y"] { #expect(tsquery.contains("'\(word)'"), "\(tsquery)") }
    }
}
