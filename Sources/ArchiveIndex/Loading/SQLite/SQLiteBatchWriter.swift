import GRDB
import WARC

/// Writes a batch into `index.sqlite`, row by row through cached statements, inside the
/// transaction the loader runs in; message text goes to the FTS5 table as it is written.
final class SQLiteBatchWriter: BatchWriter {
    let db: Database
    let fileID: Int64

    init(db: Database, fileID: Int64) {
        self.db = db
        self.fileID = fileID
    }

    func insertRecord(_ prepared: PreparedRecord) throws -> Int64? {
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO records (file_id, offset, length, type, record_id, date, method, uri, status, payload_digest, session, wallet,
                    exchange_seq, capture, refers_to, concurrent_to, segment_origin, segment_number, stream_end, bundle_position)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        insert.setUncheckedArguments(prepared.rowArguments)
        try insert.execute()
        return db.changesCount > 0 ? db.lastInsertedRowID : nil
    }

    func relocate(_ stored: WARCStoredRecord, recordID: String) throws -> Bool {
        let statement = try db.cachedStatement(sql: "UPDATE records SET offset = ?, length = ?, bundle_position = ? WHERE file_id = ? AND record_id = ?")
        statement.setUncheckedArguments([stored.offset, stored.length, stored.positionInBundle, fileID, recordID])
        try statement.execute()
        return db.changesCount > 0
    }

    func insertDamage(_ damage: WARCDamage) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO damage (file_id, offset, length, kind, reason) VALUES (?, ?, ?, ?, ?)",
            arguments: [fileID, damage.offset, damage.length, damage.kind.rawValue, damage.reason])
    }

    func insertRerun(session: String, original: String, seen: String?) throws {
        try db.execute(
            sql: """
                INSERT INTO reruns (session, original, first_seen) VALUES (?, ?, ?)
                ON CONFLICT (session) DO UPDATE SET first_seen = min(ifnull(reruns.first_seen, excluded.first_seen), ifnull(excluded.first_seen, reruns.first_seen))
                """,
            arguments: [IndexText.storable(session), IndexText.storable(original), seen])
    }

    func insertEvent(_ event: EventRow) throws -> Bool {
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO events (session, source, type, data, time, record, position) VALUES (?, ?, ?, ?, ?, ?, ?)")
        statement.setUncheckedArguments([
            IndexText.storable(event.session), event.source, IndexText.storable(event.type), IndexText.storable(event.data), event.time, event.record,
            event.position,
        ])
        try statement.execute()
        return db.changesCount > 0
    }

    func storedThread(_ session: String) throws -> (messages: [ThreadAccumulator.Message], systemEvents: Set<Int64>) {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, position, hash, time, first_seen, last_seen, record, sender FROM messages WHERE session = ? ORDER BY position"),
            arguments: [session])
        var messages: [ThreadAccumulator.Message] = []
        for row in rows {
            guard (row["position"] as Int) == messages.count else { break }
            messages.append(
                ThreadAccumulator.Message(
                    hash: row["hash"], sender: row["sender"], content: "", toolResult: nil, timestamp: nil,
                    time: row["time"], firstSeen: row["first_seen"], lastSeen: row["last_seen"], record: row["record"],
                    rowID: row["id"], contentChanged: false, seenChanged: false))
        }
        let hashes = try Int64.fetchAll(db.cachedStatement(sql: "SELECT hash FROM system_events_seen WHERE session = ?"), arguments: [session])
        return (messages, Set(hashes))
    }

    func writeSession(_ thread: ThreadAccumulator) throws {
        let statement = try db.cachedStatement(sql: SessionMerge.sql(greatest: "max"))
        statement.setUncheckedArguments(StatementArguments(SessionMerge.values(of: thread)))
        try statement.execute()
    }

    func insertTitle(session: String, title: String, seen: String) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO titles (session, title, first_seen) VALUES (?, ?, ?)
                ON CONFLICT (session, title) DO UPDATE SET first_seen = min(titles.first_seen, excluded.first_seen)
                """)
        statement.setUncheckedArguments([session, IndexText.storable(title), seen])
        try statement.execute()
    }

    func insertSystemEventSeen(session: String, hash: Int64) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO system_events_seen (session, hash) VALUES (?, ?)")
        statement.setUncheckedArguments([session, hash])
        try statement.execute()
    }

    func insertMessage(_ message: ThreadAccumulator.Message, position: Int, of thread: ThreadAccumulator) throws {
        let scope = SearchScope.tokens(wallet: thread.wallet, session: thread.session)
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO messages (session, position, sender, content, tool_result, timestamp, time, first_seen, last_seen, record, hash, scope)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let content = IndexText.storable(message.content)
        insert.setUncheckedArguments([
            thread.session, position, IndexText.storable(message.sender), content, IndexText.storable(message.toolResult),
            IndexText.storable(message.timestamp), message.time, message.firstSeen, message.lastSeen, message.record, message.hash, scope,
        ])
        try insert.execute()
        try indexText(db.lastInsertedRowID, content, scope)
    }

    func updateMessage(_ message: ThreadAccumulator.Message, rowID: Int64, of thread: ThreadAccumulator) throws {
        let old = try Row.fetchOne(db.cachedStatement(sql: "SELECT content, scope FROM messages WHERE id = ?"), arguments: [rowID])
        let remove = try db.cachedStatement(sql: "INSERT INTO messages_fts (messages_fts, rowid, content, scope) VALUES ('delete', ?, ?, ?)")
        remove.setUncheckedArguments([rowID, old?["content"] as String? ?? "", old?["scope"] as String? ?? ""])
        try remove.execute()
        let scope = SearchScope.tokens(wallet: thread.wallet, session: thread.session)
        let update = try db.cachedStatement(
            sql: """
                UPDATE messages SET sender = ?, content = ?, tool_result = ?, timestamp = ?, time = ?, last_seen = ?, record = ?, hash = ?, scope = ? WHERE id = ?
                """)
        let content = IndexText.storable(message.content)
        update.setUncheckedArguments([
            IndexText.storable(message.sender), content, IndexText.storable(message.toolResult), IndexText.storable(message.timestamp),
            message.time, message.lastSeen, message.record, message.hash, scope, rowID,
        ])
        try update.execute()
        try indexText(rowID, content, scope)
    }

    func updateSeen(_ message: ThreadAccumulator.Message, rowID: Int64) throws {
        let update = try db.cachedStatement(sql: "UPDATE messages SET last_seen = ?, record = ? WHERE id = ?")
        update.setUncheckedArguments([message.lastSeen, message.record, rowID])
        try update.execute()
    }

    private func indexText(_ rowID: Int64, _ content: String, _ scope: String) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO messages_fts (rowid, content, scope) VALUES (?, ?, ?)")
        statement.setUncheckedArguments([rowID, content, scope])
        try statement.execute()
    }
}
