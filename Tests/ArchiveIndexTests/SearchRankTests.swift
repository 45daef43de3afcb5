import AomiAPI
import Foundation
import GRDB
import TestSupport
import Testing

@testable import ArchiveIndex

/// The rank SQLite searches order by (`SearchRank`): bm25's order where bm25's own weights
/// are exact, one weight per typed word whatever form matched, and a clear error when the
/// weights do not fit the query.
@Suite struct SearchRankTests {
    /// Messages of one session, in order, indexed into a new SQLite index.
    private func index(_ contents: [String]) async throws -> (ArchiveQueries, ArchiveBuilder) {
        let recorded = ArchiveBuilder()
        let wallet = "0xcbd68b388f50bf5f10ec0629199b0ea3a0922f9f"
        let messages = contents.enumerated().map { ChatMessage(sender: $0.offset % 2 == 0 ? "user" : "agent", content: $0.element) }
        try await recorded.json(session: "ranked", wallet: wallet, "GET", "/api/state", SessionSnapshot(messages: messages))
        try await recorded.close()
        let location = recorded.root + "/index.sqlite"
        _ = try ArchiveIndexer(database: ArchiveDatabase(location: location), root: recorded.root).run()
        return (ArchiveQueries(database: try ArchiveDatabase.openExisting(location: location)), recorded)
    }

    /// The messages matching `text`, best first, by `aomi_rank` and by FTS5's `bm25` (ties by id).
    private func orders(_ text: String, in queries: ArchiveQueries) throws -> (ours: [Int64], bm25: [Int64]) {
        let parsed = try ParsedQuery(text)
        let node = try #require(parsed.node)
        let expression = SearchScope.expression(content: try #require(parsed.fts5), parsed.filters)
        guard case let .sqlite(pool) = queries.database.store else { throw IndexError.database(path: "", reason: "not SQLite") }
        return try pool.read { db in
            let counts = try SearchRank.counts(of: expression, query: node, in: db, cacheKey: "test").map(String.init).joined(separator: " ")
            func order(_ rank: String) throws -> [Int64] {
                try Int64.fetchAll(
                    db, sql: "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY \(rank), rowid", arguments: [expression, counts])
            }
            return (try order("aomi_rank(messages_fts, ?)"), try order("bm25(messages_fts) + 0 * length(?)"))
        }
    }

    /// Words with no English forms in the corpus but their own, so that bm25's weights per
    /// phrase and ours per typed word are the same numbers.
    static let corpus = [
        "ledger ledger ledger vault", "vault vault ledger", "ledger vault mint quorum", "quorum quorum", "mint", "ledger",
        "vault quorum mint mint mint", "a long message about the ledger and the vault and the mint and nothing else", "quorum ledger",
        "mint vault", "ledger mint ledger mint", "vault",
    ]

    @Test("where bm25 weighs exactly (one word, a phrase, a prefix, several words), the order is bm25's")
    func theOrderIsBM25sWhereItsWeightsAreExact() async throws {
        let (queries, recorded) = try await index(Self.corpus)
        defer { recorded.remove() }
        for text in ["ledger", "vault", "\"ledger vault\"", "led*", "ledger vault", "ledger OR quorum", "mint AND vault", "ledger -quorum"] {
            let (ours, bm25) = try orders(text, in: queries)
            #expect(!ours.isEmpty, "\(text)")
            #expect(ours == bm25, "\(text)")
        }
    }

    @Test("a rare form of the word typed does not outrank its common form: the word weighs once")
    func aRareFormDoesNotOutrankTheCommonOne() async throws {
        let (queries, recorded) = try await index(["please swap now", "please swapping now"] + Array(repeating: "swap tokens today", count: 12))
        defer { recorded.remove() }
        let hits = try queries.search(SearchQuery(text: "swap", limit: 20))
        let common = try #require(hits.first { $0.position == 0 })
        let rare = try #require(hits.first { $0.position == 1 })
        #expect(common.rank == rare.rank)
        let (_, bm25) = try orders("swap", in: queries)
        #expect(bm25.first == 2, "bm25 alone puts the rare form first (message ids start at 1): \(bm25)")
    }

    @Test("counts that do not fit the query's phrases are an error naming both, not a silent rank")
    func countsThatDoNotFitAreAnError() async throws {
        let (queries, recorded) = try await index(Self.corpus)
        defer { recorded.remove() }
        guard case let .sqlite(pool) = queries.database.store else { return }
        #expect(throws: DatabaseError.self) {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT aomi_rank(messages_fts, '0') FROM messages_fts WHERE messages_fts MATCH '\"ledger\" OR \"vault\"'")
            }
        }
        #expect(FTS5Phrases.list(in: #"({content} : ("a ""b"" c"* OR "d")) AND {scope} : (w0x12* AND sabc)"#) == [#""a ""b"" c"*"#, #""d""#, "w0x12*", "sabc"])
    }
}
