import GRDB

/// How many rows a removal took out of the index.
public struct IndexRemovalCounts: Sendable, Equatable {
    public var sessions = 0
    public var messages = 0
    public var records = 0
    public var files = 0

    public init() {}
}

extension ArchiveDatabase {
    /// The sessions the index knows for a wallet.
    public func sessions(ofWallet wallet: String) throws(IndexError) -> [String] {
        try rows("SELECT id FROM sessions WHERE wallet = ?", [wallet]).compactMap { $0.string("id") }
    }

    /// Whether the index holds anything of `session` (its row, or a record naming it).
    public func knows(session: String) throws(IndexError) -> Bool {
        try !rows("SELECT 1 AS found FROM sessions WHERE id = ? UNION ALL SELECT 1 AS found FROM records WHERE session = ? LIMIT 1", [session, session]).isEmpty
    }

    /// Whether the index holds anything of `wallet`.
    public func knows(wallet: String) throws(IndexError) -> Bool {
        try !rows("SELECT 1 AS found FROM sessions WHERE wallet = ? UNION ALL SELECT 1 AS found FROM records WHERE wallet = ? LIMIT 1", [wallet, wallet]).isEmpty
    }

    /// Takes out of the index every row of `sessions` (messages and their full-text rows,
    /// titles, events, records, reruns), every record of `wallet`, and everything read from
    /// `files` (files deleted or rewritten; the next index run reads a rewritten one again), in
    /// one transaction. On SQLite, deleted content is overwritten (`secure_delete`), the
    /// full-text index is merged so no segment keeps a removed word, and the write-ahead log
    /// is emptied, so the bytes are gone from the index's files too; on PostgreSQL the tables
    /// are vacuumed.
    public func remove(sessions: Set<String>, wallet: String?, files: [String]) throws(IndexError) -> IndexRemovalCounts {
        var counts = IndexRemovalCounts()
        let sessionList = sessions.sorted()
        let statements = Self.removalStatements
        switch store {
        case let .sqlite(pool):
            do {
                try pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA secure_delete = ON")
                    try db.inTransaction {
                        for session in sessionList {
                            counts.messages += try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE session = ?", arguments: [session]) ?? 0
                            try db.execute(
                                sql: "INSERT INTO messages_fts(messages_fts, rowid, content, scope) SELECT 'delete', id, content, scope FROM messages WHERE session = ?",
                                arguments: [session])
                            counts.records += try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE session = ?", arguments: [session]) ?? 0
                            if try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions WHERE id = ?", arguments: [session]) ?? 0 > 0 { counts.sessions += 1 }
                            for sql in statements.session { try db.execute(sql: sql, arguments: StatementArguments(Array(repeating: session, count: sql.count { $0 == "?" }))) }
                        }
                        if let wallet {
                            counts.records += try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE wallet = ?", arguments: [wallet]) ?? 0
                            for sql in statements.wallet { try db.execute(sql: sql, arguments: [wallet]) }
                        }
                        for path in files {
                            for candidate in [path, path + ".open"] {
                                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM files WHERE path = ?", arguments: [candidate]) else { continue }
                                counts.records += try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE file_id = ?", arguments: [id]) ?? 0
                                counts.files += 1
                                for sql in statements.file { try db.execute(sql: sql, arguments: [id]) }
                            }
                        }
                        return .commit
                    }
                    try db.execute(sql: "INSERT INTO messages_fts(messages_fts) VALUES('optimize')")
                    try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                }
            } catch {
                throw .database(path: path, reason: "\(error)")
            }
        case let .postgres(pool):
            try pool.withConnection { connection throws(IndexError) in
                func number(_ sql: String, _ parameter: String) throws -> Int {
                    Int(try connection.execute(sql, [parameter]).rows.first?.first.flatMap { $0 } ?? "0") ?? 0
                }
                do {
                    try connection.transaction {
                        for session in sessionList {
                            counts.messages += try number("SELECT count(*) FROM messages WHERE session = $1", session)
                            counts.records += try number("SELECT count(*) FROM records WHERE session = $1", session)
                            counts.sessions += try number("SELECT count(*) FROM sessions WHERE id = $1", session)
                            for sql in statements.session {
                                try connection.execute(Self.numberedPlaceholders(sql), Array(repeating: session, count: sql.count { $0 == "?" }))
                            }
                        }
                        if let wallet {
                            counts.records += try number("SELECT count(*) FROM records WHERE wallet = $1", wallet)
                            for sql in statements.wallet { try connection.execute(Self.numberedPlaceholders(sql), [wallet]) }
                        }
                        for path in files {
                            for candidate in [path, path + ".open"] {
                                guard let id = try connection.execute("SELECT id FROM files WHERE path = $1", [candidate]).rows.first?.first.flatMap({ $0 }) else {
                                    continue
                                }
                                counts.records += try number("SELECT count(*) FROM records WHERE file_id = $1", id)
                                counts.files += 1
                                for sql in statements.file { try connection.execute(Self.numberedPlaceholders(sql), [id]) }
                            }
                        }
                    }
                } catch {
                    throw error as? IndexError ?? .database(path: path, reason: "\(error)")
                }
                try connection.execute("VACUUM messages, titles, events, records, sessions, reruns, system_events_seen, files, damage")
            }
        }
        return counts
    }

    /// The statements of a removal, the same SQL for both stores (`?` placeholders).
    private static let removalStatements = (
        session: [
            "DELETE FROM messages WHERE session = ?",
            "DELETE FROM titles WHERE session = ?",
            "DELETE FROM events WHERE session = ?",
            "DELETE FROM system_events_seen WHERE session = ?",
            "DELETE FROM reruns WHERE session = ? OR original = ?",
            "DELETE FROM events WHERE record IN (SELECT id FROM records WHERE session = ?)",
            "DELETE FROM records WHERE session = ?",
            "DELETE FROM sessions WHERE id = ?",
        ],
        wallet: [
            "DELETE FROM events WHERE record IN (SELECT id FROM records WHERE wallet = ?)",
            "DELETE FROM records WHERE wallet = ?",
        ],
        file: [
            "DELETE FROM events WHERE record IN (SELECT id FROM records WHERE file_id = ?)",
            "DELETE FROM records WHERE file_id = ?",
            "DELETE FROM damage WHERE file_id = ?",
            "DELETE FROM files WHERE id = ?",
        ]
    )
}
