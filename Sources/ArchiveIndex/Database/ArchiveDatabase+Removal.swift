import Foundation
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
    /// full-text index is merged so no segment keeps a removed word, the file is rewritten
    /// (`VACUUM`, which costs a copy of the index) and the write-ahead log is emptied, so the
    /// bytes are gone from the index's files too; on PostgreSQL the tables are vacuumed.
    public func remove(sessions: Set<String>, wallet: String?, files: [String]) throws(IndexError) -> IndexRemovalCounts {
        switch store {
        case let .sqlite(pool):
            do {
                return try pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA secure_delete = ON")
                    var counts = IndexRemovalCounts()
                    try db.inTransaction {
                        counts = try Self.removeRows(
                            sessions: sessions, wallet: wallet, files: files, fullTextRows: Self.sqliteFullTextRows,
                            value: { sql, argument in try DatabaseValue.fetchOne(db, sql: sql, arguments: [argument]).flatMap(IndexRow.text) },
                            execute: { sql, arguments in try db.execute(sql: sql, arguments: StatementArguments(arguments)) })
                        return .commit
                    }
                    try db.execute(sql: "INSERT INTO messages_fts(messages_fts) VALUES('optimize')")
                    // secure_delete zeroes a deleted row's cell, but a page rebuilt by a later
                    // delete can keep an earlier layout's bytes in its unused space: a rewrite
                    // of the whole file is what leaves none.
                    try db.execute(sql: "VACUUM")
                    try Self.emptyWriteAheadLog(db, path: path)
                    return counts
                }
            } catch {
                throw .database(path: path, reason: "\(error)")
            }
        case let .postgres(pool):
            return try pool.withConnection { connection throws(IndexError) in
                let counts: IndexRemovalCounts
                do {
                    counts = try connection.transaction {
                        try Self.removeRows(
                            sessions: sessions, wallet: wallet, files: files, fullTextRows: nil,
                            value: { sql, argument in try connection.execute(Self.numberedPlaceholders(sql), [argument]).rows.first?.first.flatMap { $0 } },
                            execute: { sql, arguments in try connection.execute(Self.numberedPlaceholders(sql), arguments) })
                    }
                } catch {
                    throw error as? IndexError ?? .database(path: path, reason: "\(error)")
                }
                try connection.execute("VACUUM messages, titles, events, records, sessions, reruns, system_events_seen, files, damage")
                return counts
            }
        }
    }

    /// Copies the write-ahead log into the database file and empties it, so that the removed
    /// bytes are gone from both files. SQLite gives up when a reader still holds an older
    /// snapshot past the busy timeout: the checkpoint is tried again a few times, then the
    /// removal is an error that says so, never a silent success.
    private static func emptyWriteAheadLog(_ db: Database, path: String) throws {
        for attempt in 1...3 {
            let busy: Int? = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")?[0]
            if busy == 0 { return }
            Thread.sleep(forTimeInterval: 0.2 * Double(attempt))
        }
        throw DatabaseError(
            resultCode: .SQLITE_BUSY,
            message: "the write-ahead log could not be emptied: another connection still reads an older snapshot; the rows are removed, but "
                + "their bytes may remain in \(path) and \(path)-wal until a later checkpoint (run the command again when no search or serve is reading)")
    }

    /// SQLite's full-text rows of a session's messages, which go before the messages (FTS5
    /// with external content deletes a row given its values); PostgreSQL's go with the rows.
    private static let sqliteFullTextRows =
        "INSERT INTO messages_fts(messages_fts, rowid, content, scope) SELECT 'delete', id, content, scope FROM messages WHERE session = ?"

    /// The removal itself, the same statements on both stores: `value` reads one value of a
    /// one-parameter query, `execute` runs a statement (`?` placeholders).
    private static func removeRows(
        sessions: Set<String>, wallet: String?, files: [String], fullTextRows: String?, value: (String, String) throws -> String?, execute: (String, [String]) throws -> Void
    ) throws -> IndexRemovalCounts {
        func count(_ sql: String, _ argument: String) throws -> Int { Int(try value(sql, argument) ?? "0") ?? 0 }
        var counts = IndexRemovalCounts()
        let statements = removalStatements
        for session in sessions.sorted() {
            counts.messages += try count("SELECT count(*) FROM messages WHERE session = ?", session)
            counts.records += try count("SELECT count(*) FROM records WHERE session = ?", session)
            counts.sessions += try count("SELECT count(*) FROM sessions WHERE id = ?", session)
            if let fullTextRows { try execute(fullTextRows, [session]) }
            for sql in statements.session { try execute(sql, Array(repeating: session, count: sql.count { $0 == "?" })) }
        }
        if let wallet {
            counts.records += try count("SELECT count(*) FROM records WHERE wallet = ?", wallet)
            for sql in statements.wallet { try execute(sql, [wallet]) }
            // The files of its folder, those a forget that was stopped deleted already included
            // (their paths name the wallet). An address holds no LIKE wildcard.
            while let id = try value("SELECT id FROM files WHERE path LIKE ? LIMIT 1", "%/" + wallet + "/%") {
                counts.files += 1
                for sql in statements.file { try execute(sql, [id]) }
            }
        }
        for path in files {
            for candidate in [path, path + ".open"] {
                guard let id = try value("SELECT id FROM files WHERE path = ?", candidate) else { continue }
                counts.records += try count("SELECT count(*) FROM records WHERE file_id = ?", id)
                counts.files += 1
                for sql in statements.file { try execute(sql, [id]) }
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
