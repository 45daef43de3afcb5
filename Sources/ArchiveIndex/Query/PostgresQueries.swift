/// Full-text search asked of a PostgreSQL index, as `ArchiveQueries.search` asks it of
/// SQLite: the same language, the same filters and errors, the same excerpts. Matches are
/// `search @@ tsquery` over the GIN index, ranked by `ts_rank_cd` among the newest
/// `rankWindow` of them; `rank` is its negation, so that lower is better on both stores (as
/// bm25 is). User text reaches SQL only as bound parameters and `tsquery` only as quoted
/// lexemes.
public struct PostgresQueries {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// A page of hits, with how many messages and sessions the whole search matched.
    public func search(_ query: SearchQuery) throws(IndexError) -> (hits: [SearchHit], totals: SearchTotals) {
        let parsed = try ParsedQuery(query.text)
        guard let filters = try query.filters(with: parsed) else { return ([], .none) }
        let parameters = Bindings()
        let byTime = parsed.tsquery == nil ? "time DESC, " : ""
        let sql =
            Self.matched(parsed, filters, query, bind: parameters.bind) + """
                , folded AS (
                    SELECT session, min(rank) AS rank, min(position) AS position, max(time) AS time, count(*) AS copies
                    FROM matched GROUP BY session, content
                ), best AS (
                    SELECT * FROM folded ORDER BY \(byTime)rank, session, position
                    LIMIT \(parameters.bind(String(query.limit)))::bigint OFFSET \(parameters.bind(String(query.offset)))::bigint
                )
                SELECT s.wallet, m.session, s.title, m.time, m.sender, m.position, m.content, best.rank, best.copies,
                       (SELECT count(*) FROM matched) AS total_messages, (SELECT count(DISTINCT session) FROM matched) AS total_sessions,
                       (SELECT count(*) FROM folded) AS total_hits
                FROM best
                JOIN messages m ON m.session = best.session AND m.position = best.position
                LEFT JOIN sessions s ON s.id = m.session
                ORDER BY \(byTime.isEmpty ? "" : "m.time DESC, ")best.rank, m.session, m.position
                """
        let snippets = SnippetMaker(words: parsed.highlightedWords, open: query.highlight.open, close: query.highlight.close)
        let rows = try connection.execute(sql, parameters.values)
        let hits = rows.rows.indices.map { row in
            SearchHit(
                wallet: rows.value("wallet", row: row), session: rows.value("session", row: row) ?? "", title: rows.value("title", row: row),
                time: rows.value("time", row: row) ?? "", sender: rows.value("sender", row: row) ?? "",
                position: Int(rows.value("position", row: row) ?? "") ?? 0, snippet: snippets.excerpt(rows.value("content", row: row) ?? ""),
                rank: Double(rows.value("rank", row: row) ?? "") ?? 0, copies: Int(rows.value("copies", row: row) ?? "") ?? 1)
        }
        guard !hits.isEmpty else { return ([], .none) }
        let count = { (column: String) in Int(rows.value(column, row: 0) ?? "") ?? 0 }
        return (hits, SearchTotals(counted: count("total_messages"), sessions: count("total_sessions"), hits: count("total_hits"), of: query, parsed: parsed))
    }

    /// How many messages and sessions match, as `ArchiveQueries.totals` counts them.
    public func totals(_ query: SearchQuery) throws(IndexError) -> SearchTotals {
        let parsed = try ParsedQuery(query.text)
        guard let filters = try query.filters(with: parsed) else { return .none }
        let parameters = Bindings()
        let sql =
            Self.matched(parsed, filters, query, bind: parameters.bind)
            + " SELECT count(*) AS messages, count(DISTINCT session) AS sessions, (SELECT count(*) FROM (SELECT 1 FROM matched GROUP BY session, content) groups) AS hits FROM matched"
        let rows = try connection.execute(sql, parameters.values)
        let count = { (column: String) in Int(rows.value(column, row: 0) ?? "") ?? 0 }
        return SearchTotals(counted: count("messages"), sessions: count("sessions"), hits: count("hits"), of: query, parsed: parsed)
    }

    /// The `WITH … matched AS (…)` both read: matching messages (id, rank, session, position,
    /// content, time), at most the rank window of them, newest first.
    private static func matched(_ parsed: ParsedQuery, _ filters: QueryFilters, _ query: SearchQuery, bind: (String?) -> String) -> String {
        let conditions = Self.conditions(filters, bind: bind)
        guard let tsquery = parsed.tsquery else {
            return """
                WITH matched AS (
                    SELECT m.id, 0.0::float8 AS rank, m.session, m.position, m.content, m.time
                    FROM messages m LEFT JOIN sessions s ON s.id = m.session
                    WHERE \(conditions)
                    ORDER BY m.time DESC, m.session, m.position
                    LIMIT \(bind(String(SearchTotals.countLimit)))::bigint
                )
                """
        }
        let text = bind(tsquery)
        let window = bind(String(query.rankWindow))
        // A phrase is estimated as often as its words together, so the planner would walk
        // every message newest first checking word positions; `m.id + 0` keeps it on the
        // GIN index (3 to 6 times faster for phrases of common words, measured on 1M messages).
        let newestFirst = tsquery.contains("<->") ? "m.id + 0 DESC" : "m.id DESC"
        var branches = [
            """
            (SELECT m.id, -ts_rank_cd(m.search, \(text)::tsquery) AS rank
             FROM messages m LEFT JOIN sessions s ON s.id = m.session
             WHERE m.search @@ \(text)::tsquery AND \(conditions)
             ORDER BY \(newestFirst) LIMIT \(window)::bigint)
            """
        ]
        if let alternative = parsed.walletAlternative {
            // The messages of the wallets the hex word begins (that hold the rest of the query),
            // found from the sessions, not by walking every message.
            let rest = alternative.rest.flatMap { try? $0.inflected.tsquery() }.map(bind)
            let prefix = bind(alternative.prefix)
            branches.append(
                """
                (SELECT m.id, \(rest.map { "-ts_rank_cd(m.search, \($0)::tsquery)" } ?? "0.0::float8") AS rank
                 FROM sessions s JOIN messages m ON m.session = s.id
                 WHERE left(s.wallet, length(\(prefix))) = \(prefix) \(rest.map { "AND m.search @@ \($0)::tsquery" } ?? "") AND \(conditions)
                 ORDER BY m.id DESC LIMIT \(window)::bigint)
                """)
        }
        return """
            WITH recent AS (
                SELECT id, min(rank) AS rank FROM (\(branches.joined(separator: " UNION ALL "))) found
                GROUP BY id ORDER BY id DESC LIMIT \(window)::bigint
            ), matched AS (
                SELECT recent.id, recent.rank, m.session, m.position, m.content, m.time
                FROM recent JOIN messages m ON m.id = recent.id
            )
            """
    }

    /// The SQL conditions on a message `m` (and its session `s`) for every filter, their
    /// values bound through `bind`.
    private static func conditions(_ filters: QueryFilters, bind: (String?) -> String) -> String {
        var conditions = ["true"]
        if let wallet = filters.wallet {
            let value = bind(wallet.lowercased())
            conditions.append(wallet.count == 42 ? "s.wallet = \(value)" : "left(s.wallet, length(\(value))) = \(value)")
        }
        if let session = filters.session { conditions.append("m.session = \(bind(session))") }
        if !filters.senders.isEmpty {
            conditions.append("m.sender IN (" + filters.senders.map(\.rawValue).sorted().map { bind($0) }.joined(separator: ", ") + ")")
        }
        if let after = filters.after { conditions.append("m.time >= \(bind(after))") }
        if let before = filters.before { conditions.append("m.time <= \(bind(before))") }
        for word in filters.titleWords {
            conditions.append("EXISTS (SELECT 1 FROM titles t WHERE t.session = m.session AND strpos(lower(t.title), \(bind(word))) > 0)")
        }
        return conditions.joined(separator: " AND ")
    }
}

/// Values bound as `$1`, `$2`… in the order the SQL text asks for them: user text reaches
/// PostgreSQL only this way.
private final class Bindings {
    private(set) var values: [String?] = []

    func bind(_ value: String?) -> String {
        values.append(IndexText.storable(value))
        return "$\(values.count)"
    }
}
