import Foundation
import GRDB

/// The questions the index answers: full-text search, a wallet's threads, a transcript. The
/// same answers from either store: search has one form per engine (FTS5, `tsquery`), the
/// rest is SQL both read alike.
public struct ArchiveQueries: Sendable {
    let database: ArchiveDatabase

    public init(database: ArchiveDatabase) {
        self.database = database
    }

    /// Messages matching a query in the search language (`ParsedQuery`), ranked by bm25 (each
    /// typed word weighing once, `SearchRank`) among the newest `rankWindow` matches when no
    /// wallet or session narrows the search;
    /// a query of filters only lists the newest messages that pass them. Matches with the same
    /// text in one session are one hit with their count (`copies`). User text reaches SQL only
    /// as bound parameters and FTS5 only inside strings the compiler quotes.
    public func search(_ query: SearchQuery) throws(IndexError) -> [SearchHit] {
        try searchCounting(query).hits
    }

    /// A page of hits and the totals of the whole search, from one pass over the matches
    /// (a page past the last counts them again).
    public func searchCounting(_ query: SearchQuery) throws(IndexError) -> (hits: [SearchHit], totals: SearchTotals) {
        let parsed = try ParsedQuery(query.text)
        guard let filters = try query.filters(with: parsed) else { return ([], .none) }
        try requireKnown(filters)
        let found: (hits: [SearchHit], totals: SearchTotals)
        if case let .postgres(pool) = database.store {
            found = try pool.withConnection { connection throws(IndexError) in try PostgresQueries(connection: connection).search(query) }
        } else {
            found = try sqliteSearch(query, parsed: parsed, filters: filters)
        }
        // The totals come with the hits; a page past the last has no row to bring them.
        if found.hits.isEmpty, query.offset > 0 { return ([], try totals(query)) }
        return found
    }

    private func sqliteSearch(
        _ query: SearchQuery, parsed: ParsedQuery, filters: QueryFilters
    ) throws(IndexError) -> (hits: [SearchHit], totals: SearchTotals) {
        var arguments: StatementArguments = ["limit": query.limit, "offset": query.offset]
        let sql =
            Self.matched(parsed, filters, query, arguments: &arguments) + """
                , folded AS (
                    SELECT session, min(rank) AS rank, min(position) AS position, max(time) AS time, count(*) AS copies
                    FROM matched GROUP BY session, content
                ), best AS (
                    SELECT * FROM folded ORDER BY \(parsed.fts5 == nil ? "time DESC," : "") rank, session, position LIMIT :limit OFFSET :offset
                )
                SELECT s.wallet, m.session, s.title, m.time, m.sender, m.position, m.content, best.rank AS rank, best.copies AS copies,
                       (SELECT count(*) FROM matched) AS total_messages, (SELECT count(DISTINCT session) FROM matched) AS total_sessions,
                       (SELECT count(*) FROM folded) AS total_hits
                FROM best
                JOIN messages m ON m.session = best.session AND m.position = best.position
                LEFT JOIN sessions s ON s.id = m.session
                ORDER BY \(parsed.fts5 == nil ? "m.time DESC," : "") best.rank, m.session, m.position
                """
        let snippets = SnippetMaker(words: parsed.highlightedWords, open: query.highlight.open, close: query.highlight.close)
        return try read { db in
            arguments += try rankCounts(parsed, filters, in: db)
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let hits = rows.map { row in
                SearchHit(
                    wallet: row["wallet"], session: row["session"], title: row["title"], time: row["time"], sender: row["sender"],
                    position: row["position"], snippet: snippets.excerpt(row["content"]), rank: row["rank"], copies: row["copies"])
            }
            let totals = SearchTotals(
                counted: rows.first?["total_messages"] ?? 0, sessions: rows.first?["total_sessions"] ?? 0, hits: rows.first?["total_hits"] ?? 0,
                of: query, parsed: parsed)
            return (hits, totals)
        }
    }

    /// How many messages and sessions a search matches (counting stops at the rank window,
    /// or at `SearchTotals.countLimit` for a query of filters only).
    public func totals(_ query: SearchQuery) throws(IndexError) -> SearchTotals {
        let parsed = try ParsedQuery(query.text)
        guard let filters = try query.filters(with: parsed) else { return .none }
        try requireKnown(filters)
        if case let .postgres(pool) = database.store {
            return try pool.withConnection { connection throws(IndexError) in try PostgresQueries(connection: connection).totals(query) }
        }
        var arguments: StatementArguments = [:]
        let sql =
            Self.matched(parsed, filters, query, arguments: &arguments)
            + " SELECT count(*) AS messages, count(DISTINCT session) AS sessions, (SELECT count(*) FROM (SELECT 1 FROM matched GROUP BY session, content)) AS hits FROM matched"
        return try read { db in
            arguments += try rankCounts(parsed, filters, in: db)
            let row = try Row.fetchOne(db, sql: sql, arguments: arguments)
            return SearchTotals(counted: row?["messages"] ?? 0, sessions: row?["sessions"] ?? 0, hits: row?["hits"] ?? 0, of: query, parsed: parsed)
        }
    }

    /// The `WITH … matched AS (…)` that both `search` and `totals` read: the matching messages
    /// (id, rank, session, position, content, time), at most the rank window of them.
    private static func matched(_ parsed: ParsedQuery, _ filters: QueryFilters, _ query: SearchQuery, arguments: inout StatementArguments) -> String {
        let conditions = Self.conditions(filters, arguments: &arguments)
        guard let expression = parsed.fts5 else {
            arguments += ["countLimit": SearchTotals.countLimit]
            let wallet = walletCondition(filters.wallet, column: "s.wallet", arguments: &arguments)
            let session = filters.session.map { value in
                arguments += ["session": value]
                return "m.session = :session"
            }
            return """
                WITH matched AS (
                    SELECT m.id, 0.0 AS rank, m.session, m.position, m.content, m.time
                    FROM messages m LEFT JOIN sessions s ON s.id = m.session
                    WHERE \(([wallet, session].compactMap { $0 } + [conditions]).joined(separator: " AND "))
                    ORDER BY m.time DESC, m.session, m.position
                    LIMIT :countLimit
                )
                """
        }
        // FTS5 walks the matches (wallet and session filters are terms of the match) newest
        // first; bm25 ranks the newest `rankWindow` of them; only the best rows are joined,
        // and their excerpts are made from the query's words.
        arguments += ["text": Self.matchText(expression, parsed, filters), "window": query.rankWindow]
        return """
            WITH recent AS (
                SELECT messages_fts.rowid AS id, \(SearchRank.functionName)(messages_fts, :counts) AS rank
                FROM messages_fts
                WHERE messages_fts MATCH :text
                ORDER BY messages_fts.rowid DESC
                LIMIT :window
            ), matched AS (
                SELECT recent.id, recent.rank, m.session, m.position, m.content, m.time
                FROM recent JOIN messages m ON m.id = recent.id
                WHERE \(conditions)
            )
            """
    }

    /// The counts `aomi_rank` weighs each phrase of the search's expression by (`SearchRank`),
    /// as the `:counts` argument of `matched`; none for a query of filters only.
    private func rankCounts(_ parsed: ParsedQuery, _ filters: QueryFilters, in db: Database) throws -> StatementArguments {
        guard let node = parsed.node, let expression = parsed.fts5 else { return [:] }
        let counts = try SearchRank.counts(of: Self.matchText(expression, parsed, filters), query: node, in: db, cacheKey: database.path)
        return ["counts": counts.map(String.init).joined(separator: " ")]
    }

    /// What FTS5 matches: the query's `expression` over the content column, narrowed by the
    /// filters' scope terms (`SearchScope`).
    private static func matchText(_ expression: String, _ parsed: ParsedQuery, _ filters: QueryFilters) -> String {
        SearchScope.expression(content: expression, alternative: parsed.walletAlternative, filters)
    }

    /// `column` is the wallet, or begins with the prefix.
    private static func walletCondition(_ wallet: String?, column: String, arguments: inout StatementArguments) -> String? {
        guard let wallet else { return nil }
        arguments += ["wallet": wallet]
        return wallet.count == 42 ? "\(column) = :wallet" : "substr(\(column), 1, length(:wallet)) = :wallet"
    }

    /// A `session:` that names no indexed session, or a `wallet:` that begins no indexed
    /// wallet, is an error that says so (rather than no hits and no word why).
    private func requireKnown(_ filters: QueryFilters) throws(IndexError) {
        if let session = filters.session, try database.rows("SELECT 1 AS found FROM sessions WHERE id = ?", [session]).isEmpty {
            throw .unknownSession(session)
        }
        if let wallet = filters.wallet,
            try database.rows("SELECT 1 AS found FROM sessions WHERE substr(wallet, 1, \(wallet.count)) = ? LIMIT 1", [wallet]).isEmpty
        {
            throw .unknownWallet(wallet)
        }
    }

    /// The SQL conditions on a message `m` for the filters that are not terms of the match:
    /// senders, time range and title words, their values added to `arguments`.
    private static func conditions(_ filters: QueryFilters, arguments: inout StatementArguments) -> String {
        var conditions = ["1"]
        if !filters.senders.isEmpty {
            let senders = filters.senders.map(\.rawValue).sorted()
            conditions.append("m.sender IN (" + senders.indices.map { ":sender\($0)" }.joined(separator: ", ") + ")")
            for (index, sender) in senders.enumerated() { arguments += ["sender\(index)": sender] }
        }
        if let after = filters.after {
            conditions.append("m.time >= :after")
            arguments += ["after": after]
        }
        if let before = filters.before {
            conditions.append("m.time <= :before")
            arguments += ["before": before]
        }
        if !filters.titleWords.isEmpty {
            let words = filters.titleWords.indices.map { "instr(lower(t.title), :title\($0)) > 0" }.joined(separator: " AND ")
            conditions.append("EXISTS (SELECT 1 FROM titles t WHERE t.session = m.session AND \(words))")
            for (index, word) in filters.titleWords.enumerated() { arguments += ["title\(index)": word] }
        }
        return conditions.joined(separator: " AND ")
    }

    /// A wallet's threads, newest activity first. Activity is the conversation time of the
    /// thread's messages; a thread without messages has only its capture times.
    public func threads(wallet: String) throws(IndexError) -> [ThreadListing] {
        try database.rows(
            """
            SELECT id, wallet, title, message_count, first_seen, last_seen,
                   coalesce(first_activity, created, first_seen) AS first_activity,
                   coalesce(last_activity, last_seen) AS last_activity
            FROM sessions
            WHERE wallet = ? AND (message_count > 0 OR title IS NOT NULL)
            ORDER BY coalesce(last_activity, last_seen) DESC NULLS LAST, id
            """, [wallet.lowercased()]
        ).map { row in
            ThreadListing(
                session: row.string("id") ?? "", wallet: row.string("wallet"), title: row.string("title"), messages: row.int("message_count") ?? 0,
                firstActivity: row.string("first_activity"), lastActivity: row.string("last_activity"), firstSeen: row.string("first_seen"),
                lastSeen: row.string("last_seen"))
        }
    }

    /// A session's messages, events, title changes and system events, in time order.
    public func transcript(session: String) throws(IndexError) -> Transcript {
        guard let row = try database.rows("SELECT id, wallet, title FROM sessions WHERE id = ?", [session]).first else {
            throw .unknownSession(session)
        }
        let messages = try database.rows(
            "SELECT sender, content, tool_result, time, timestamp, first_seen, last_seen, position FROM messages WHERE session = ? ORDER BY position",
            [session]
        ).map { message in
            Transcript.Entry(
                kind: .message, time: message.string("time") ?? "", label: message.string("sender") ?? "", text: message.string("content") ?? "",
                toolResult: message.string("tool_result"), position: message.int("position"), timestamp: message.string("timestamp"),
                firstSeen: message.string("first_seen"), lastSeen: message.string("last_seen"))
        }
        var others: [Transcript.Entry] = []
        for event in try database.rows(
            "SELECT source, type, data, time FROM events WHERE session = ? ORDER BY time NULLS FIRST, record, position", [session])
        {
            others.append(
                Transcript.Entry(
                    kind: event.string("source") == "sse" ? .event : .system, time: event.string("time") ?? "", label: event.string("type") ?? "?",
                    text: event.string("data") ?? ""))
        }
        let titles = try database.rows("SELECT title, first_seen FROM titles WHERE session = ? ORDER BY first_seen, title", [session])
        for title in titles {
            others.append(Transcript.Entry(kind: .title, time: title.string("first_seen") ?? "", label: "title", text: title.string("title") ?? ""))
        }
        let ordered = Transcript.interleave(messages: messages, others: others)
        let links = try rerunLinks(of: session)
        return Transcript(
            session: row.string("id") ?? session, wallet: row.string("wallet"), title: row.string("title"), titles: titles.compactMap { $0.string("title") },
            entries: ordered, rerunOf: links.original, reruns: links.reruns)
    }

    /// The session `session` reruns, and the sessions that rerun it (oldest first).
    public func rerunLinks(of session: String) throws(IndexError) -> (original: String?, reruns: [String]) {
        let original = try database.rows("SELECT original FROM reruns WHERE session = ?", [session]).first?.string("original")
        let reruns = try database.rows("SELECT session FROM reruns WHERE original = ? ORDER BY first_seen, session", [session]).compactMap { $0.string("session") }
        return (original, reruns)
    }

    /// Paths of the indexed files holding records of these sessions: where a replay of them
    /// must read (with the rest of their folders, for revisits).
    public func files(holdingSessions sessions: [String]) throws(IndexError) -> [String] {
        var paths: Set<String> = []
        for session in sessions {
            let rows = try database.rows("SELECT DISTINCT f.path FROM records r JOIN files f ON f.id = r.file_id WHERE r.session = ?", [session])
            paths.formUnion(rows.compactMap { $0.string("path") })
        }
        return paths.sorted()
    }

    /// The files the index keeps under `pathPrefix` (an object store's `s3://BUCKET/PREFIX/`),
    /// each with its size when last read and the offset read to: a file whose two equal its
    /// size now holds nothing new.
    public func indexedFiles(under pathPrefix: String) throws(IndexError) -> [String: (size: Int64, indexedTo: Int64)] {
        var files: [String: (size: Int64, indexedTo: Int64)] = [:]
        let rows = try database.rows(
            "SELECT path, size, indexed_to FROM files WHERE substr(path, 1, \(pathPrefix.unicodeScalars.count)) = ?", [IndexText.storable(pathPrefix)])
        for row in rows {
            guard let path = row.string("path") else { continue }
            files[path] = (Int64(row.int("size") ?? 0), Int64(row.int("indexed_to") ?? 0))
        }
        return files
    }

    /// Some indexed wallets (for benchmarks and examples).
    public func sampleWallets(limit: Int) throws(IndexError) -> [String] {
        try database.rows("SELECT DISTINCT wallet FROM sessions WHERE wallet IS NOT NULL ORDER BY wallet LIMIT ?", [limit]).compactMap {
            $0.string("wallet")
        }
    }

    /// Row counts of the main tables, for summaries and tests.
    public func counts() throws(IndexError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["files", "records", "sessions", "messages", "events", "titles", "damage"] {
            counts[table] = try database.rows("SELECT count(*) AS rows FROM \(table)").first?.int("rows") ?? 0
        }
        return counts
    }

    /// Runs `body` on a reader of the SQLite index; a failure is `IndexError.database`, naming the file.
    private func read<T>(_ body: (Database) throws -> T) throws(IndexError) -> T {
        guard case let .sqlite(pool) = database.store else { throw .database(path: database.path, reason: "not a SQLite index") }
        do {
            return try pool.read(body)
        } catch {
            throw .database(path: database.path, reason: "\(error)")
        }
    }
}
