import Foundation
import GRDB

/// The questions the index answers: full-text search, a wallet's threads, a transcript.
public struct ArchiveQueries: Sendable {
    let database: ArchiveDatabase

    public init(database: ArchiveDatabase) {
        self.database = database
    }

    /// Messages matching an FTS5 query, ranked by bm25 (among the newest `rankWindow` matches
    /// when no wallet or session narrows the search). User text is only ever bound as a
    /// parameter; an FTS5 syntax error becomes `IndexError.invalidQuery`.
    public func search(_ query: SearchQuery) throws(IndexError) -> [SearchHit] {
        // FTS5 walks the matches (wallet and session filters are terms of the match) newest first; bm25 ranks the
        // newest `rankWindow` of them (all of them for any but very common words); only the
        // best rows are joined, and their excerpts are made from the query's words.
        let sql = """
            WITH recent AS (
                SELECT messages_fts.rowid AS id, bm25(messages_fts) AS rank
                FROM messages_fts
                WHERE messages_fts MATCH :text
                ORDER BY messages_fts.rowid DESC
                LIMIT :window
            ), best AS (
                SELECT recent.id, recent.rank FROM recent JOIN messages m ON m.id = recent.id
                WHERE (:sender IS NULL OR m.sender = :sender)
                  AND (:since IS NULL OR m.time >= :since)
                  AND (:until IS NULL OR m.time <= :until)
                ORDER BY recent.rank LIMIT :limit
            )
            SELECT s.wallet, m.session, s.title, m.time, m.sender, m.position, m.content, best.rank AS rank
            FROM best
            JOIN messages m ON m.id = best.id
            LEFT JOIN sessions s ON s.id = m.session
            ORDER BY best.rank, m.session, m.position
            """
        let expression = try SearchScope.expression(query)
        let arguments: StatementArguments = [
            "text": expression, "sender": query.sender?.rawValue, "since": query.since, "until": query.until, "limit": query.limit, "window": query.rankWindow,
        ]
        let snippets = SnippetMaker(query: query.text, open: query.highlight.open, close: query.highlight.close)
        do {
            return try database.pool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                    SearchHit(
                        wallet: row["wallet"], session: row["session"], title: row["title"], time: row["time"], sender: row["sender"],
                        position: row["position"], snippet: snippets.excerpt(row["content"]), rank: row["rank"])
                }
            }
        } catch let error as DatabaseError
            where error.message?.contains("fts5") == true || error.message?.contains("syntax error") == true
            || error.message?.contains("no such column") == true
        {
            throw .invalidQuery(query.text, reason: error.message ?? "\(error)")
        } catch {
            throw .database(path: database.path, reason: "\(error)")
        }
    }

    /// A wallet's threads, newest activity first. Activity is the conversation time of the
    /// thread's messages; a thread without messages has only its capture times.
    public func threads(wallet: String) throws(IndexError) -> [ThreadListing] {
        do {
            return try database.pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.id, s.wallet, s.title, s.message_count, s.first_seen, s.last_seen,
                               coalesce(min(m.time), s.created, s.first_seen) AS first_activity,
                               coalesce(max(m.time), s.last_seen) AS last_activity
                        FROM sessions s LEFT JOIN messages m ON m.session = s.id
                        WHERE s.wallet = ? AND (s.message_count > 0 OR s.title IS NOT NULL)
                        GROUP BY s.id
                        ORDER BY last_activity DESC, s.id
                        """, arguments: [wallet.lowercased()]
                ).map { row in
                    ThreadListing(
                        session: row["id"], wallet: row["wallet"], title: row["title"], messages: row["message_count"],
                        firstActivity: row["first_activity"], lastActivity: row["last_activity"], firstSeen: row["first_seen"], lastSeen: row["last_seen"])
                }
            }
        } catch {
            throw .database(path: database.path, reason: "\(error)")
        }
    }

    /// A session's messages, events, title changes and system events, in time order.
    public func transcript(session: String) throws(IndexError) -> Transcript {
        let found: Transcript?
        do {
            found = try database.pool.read { db -> Transcript? in
                guard let row = try Row.fetchOne(db, sql: "SELECT id, wallet, title FROM sessions WHERE id = ?", arguments: [session]) else { return nil }
                let messages = try Row.fetchAll(
                    db, sql: "SELECT sender, content, tool_result, time, timestamp, first_seen, last_seen, position FROM messages WHERE session = ? ORDER BY position",
                    arguments: [session]
                ).map { message in
                    Transcript.Entry(
                        kind: .message, time: message["time"], label: message["sender"], text: message["content"], toolResult: message["tool_result"],
                        position: message["position"], timestamp: message["timestamp"], firstSeen: message["first_seen"], lastSeen: message["last_seen"])
                }
                var others: [Transcript.Entry] = []
                for event in try Row.fetchAll(
                    db, sql: "SELECT source, type, data, time FROM events WHERE session = ? ORDER BY time, record, position",
                    arguments: [session])
                {
                    let source: String = event["source"]
                    others.append(
                        Transcript.Entry(kind: source == "sse" ? .event : .system, time: event["time"] ?? "", label: event["type"] ?? "?", text: event["data"]))
                }
                let titles = try Row.fetchAll(db, sql: "SELECT title, first_seen FROM titles WHERE session = ? ORDER BY first_seen, title", arguments: [session])
                for title in titles {
                    others.append(Transcript.Entry(kind: .title, time: title["first_seen"], label: "title", text: title["title"]))
                }
                let ordered = Transcript.interleave(messages: messages, others: others)
                return Transcript(session: row["id"], wallet: row["wallet"], title: row["title"], titles: titles.map { $0["title"] }, entries: ordered)
            }
        } catch {
            throw .database(path: database.path, reason: "\(error)")
        }
        guard let found else { throw .unknownSession(session) }
        return found
    }

    /// Paths of the indexed files holding records of these sessions: where a replay of them
    /// must read (with the rest of their folders, for revisits).
    public func files(holdingSessions sessions: [String]) throws(IndexError) -> [String] {
        do {
            return try database.pool.read { db in
                var paths: Set<String> = []
                for session in sessions {
                    paths.formUnion(
                        try String.fetchAll(
                            db,
                            sql: """
                                SELECT DISTINCT f.path FROM records r JOIN files f ON f.id = r.file_id WHERE r.session = ?
                                """, arguments: [session]))
                }
                return paths.sorted()
            }
        } catch {
            throw .database(path: database.path, reason: "\(error)")
        }
    }

    /// Some indexed wallets (for benchmarks and examples).
    public func sampleWallets(limit: Int) throws(IndexError) -> [String] {
        do {
            return try database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT DISTINCT wallet FROM sessions WHERE wallet IS NOT NULL ORDER BY wallet LIMIT ?", arguments: [limit])
            }
        } catch {
            throw .database(path: database.path, reason: "\(error)")
        }
    }

    /// Row counts of the main tables, for summaries and tests.
    public func counts() throws(IndexError) -> [String: Int] {
        do {
            return try database.pool.read { db in
                var counts: [String: Int] = [:]
                for table in ["files", "records", "sessions", "messages", "events", "titles", "damage"] {
                    counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
                }
                return counts
            }
        } catch {
            throw .database(path: database.path, reason: "\(error)")
        }
    }
}
