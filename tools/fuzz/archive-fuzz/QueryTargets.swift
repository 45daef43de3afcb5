import ArchiveIndex
import Foundation

/// What a fuzzed search query goes through: the parser, the compilers to FTS5 and to a
/// PostgreSQL `tsquery`, and the search on a SQLite index of real recorded archives. A query
/// may be refused, with the language's own message; it must not crash or hang, a query the
/// parser takes must compile for both stores, and no refusal may be an error of the database
/// (an FTS5 syntax error means user text reached FTS5 unquoted).
struct QueryTargets {
    let queries: ArchiveQueries
    var counts: [String: Int] = [:]

    /// Indexes the archives under `seeds` into a new SQLite index in `work`.
    init(seeds: String, work: String) throws {
        let root = work + "/query-root"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root + "/0x00000000000000000000000000000000000000fb", withIntermediateDirectories: true)
        let files = (FileManager.default.enumerator(atPath: seeds)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".warc.gz") }.sorted()
        guard !files.isEmpty else { throw FuzzError.noSeeds(seeds) }
        for (index, file) in files.enumerated() {
            try FileManager.default.copyItem(
                atPath: (seeds as NSString).appendingPathComponent(file), toPath: root + "/0x00000000000000000000000000000000000000fb/seed-\(index).warc.gz")
        }
        let database = try ArchiveDatabase(path: work + "/query-index.sqlite")
        _ = try ArchiveIndexer(database: database, root: root).run()
        queries = ArchiveQueries(database: database)
    }

    /// Runs one query; returns the broken invariant, if any.
    mutating func run(_ text: String) -> String? {
        let parsed: ParsedQuery
        do {
            parsed = try ParsedQuery(text)
        } catch {
            guard case .invalidQuery = error else { return "the parser failed with \(error)" }
            counts["refused by the parser", default: 0] += 1
            return nil
        }
        if parsed.fts5 == nil, parsed.tsquery != nil { return "compiles to a tsquery but not to FTS5" }
        if parsed.fts5 != nil, parsed.tsquery == nil { return "compiles to FTS5 but not to a tsquery" }
        do {
            let query = SearchQuery(text: text, limit: 20)
            let hits = try queries.search(query)
            let totals = try queries.totals(query)
            if totals.messages < hits.reduce(0, { $0 + $1.copies }) { return "totals \(totals) count fewer messages than the hits hold" }
            counts[hits.isEmpty ? "searched: no hit" : "searched: hits", default: 0] += 1
        } catch {
            switch error {
            case .invalidQuery, .unknownSession, .unknownWallet: counts["refused by the search", default: 0] += 1
            default: return "the search failed with \(error)"
            }
        }
        return nil
    }
}
