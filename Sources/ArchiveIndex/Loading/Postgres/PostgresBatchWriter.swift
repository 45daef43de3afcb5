import WARC

/// Writes a batch into a PostgreSQL index inside the transaction `PostgresLoadStore` runs it
/// in. New records, events and messages are gathered and sent at `finish()` with one `COPY`
/// each (a round trip per row would cost more than the rest of the load); their ids come
/// from their tables' sequences, taken a thousand at a time. Reads, session merges, titles
/// and the rare rows that may conflict go one statement each.
///
/// A new record needs no conflict check: the batch starts at the file's `indexed_to`, which
/// the store has locked and checked, and every earlier batch committed its records together
/// with the `indexed_to` past them. Only a compacted file's records, whose places are
/// reused, are inserted one by one, each skipped when its place is taken (as SQLite's
/// `INSERT OR IGNORE` does).
final class PostgresBatchWriter: BatchWriter {
    let connection: PostgresConnection
    let fileID: Int64
    let relocating: Bool
    private var recordIDs: [Int64] = []
    private var records = PostgresCopyRows(columns: PostgresBatchWriter.recordColumns)
    private var events = PostgresCopyRows(columns: ["session", "source", "type", "data", "time", "record", "position"])
    private var newMessages = PostgresCopyRows(columns: ["session", "position"] + PostgresBatchWriter.messageColumns)
    private var changedMessages = PostgresCopyRows(columns: ["id"] + PostgresBatchWriter.messageColumns)
    private var seenMessages = PostgresCopyRows(columns: ["id", "last_seen", "record"])

    init(connection: PostgresConnection, fileID: Int64, relocating: Bool) {
        self.connection = connection
        self.fileID = fileID
        self.relocating = relocating
    }

    static let recordColumns = [
        "id", "file_id", "\"offset\"", "length", "type", "record_id", "date", "method", "uri", "status", "payload_digest", "session", "wallet",
        "exchange_seq", "capture", "refers_to", "concurrent_to", "segment_origin", "segment_number", "stream_end", "bundle_position",
    ]

    func insertRecord(_ prepared: PreparedRecord) throws -> Int64? {
        if relocating { return try insertRecordUnlessItsPlaceIsTaken(prepared) }
        let stored = prepared.stored
        let fields = prepared.fields
        let id = try nextRecordID()
        records.append(id)
        records.append(fileID)
        records.append(stored.offset)
        records.append(stored.length)
        records.append(stored.record.type.rawValue)
        records.append(fields.recordID)
        records.append(fields.date)
        records.append(prepared.method)
        records.append(fields.targetURI)
        records.append(prepared.status)
        records.append(fields.payloadDigest)
        records.append(fields.session)
        records.append(fields.wallet)
        records.append(fields.exchangeSeq)
        records.append(fields.capture)
        records.append(fields.refersTo)
        records.append(fields.concurrentTo)
        records.append(fields.segmentOrigin)
        records.append(fields.segmentNumber)
        records.append(fields.streamEnd)
        records.append(stored.positionInBundle)
        records.endRow()
        return id
    }

    /// A compacted file's record, inserted on its own (its place may be taken by a record
    /// the index knew there before the file was rewritten).
    private func insertRecordUnlessItsPlaceIsTaken(_ prepared: PreparedRecord) throws -> Int64? {
        let stored = prepared.stored
        let fields = prepared.fields
        let values: [String?] = [
            String(fileID), String(stored.offset), String(stored.length), stored.record.type.rawValue, fields.recordID, fields.date,
            prepared.method, fields.targetURI, prepared.status.map(String.init), fields.payloadDigest, fields.session, fields.wallet,
            fields.exchangeSeq.map { String($0) }, fields.capture, fields.refersTo, fields.concurrentTo, fields.segmentOrigin,
            fields.segmentNumber.map { String($0) }, fields.streamEnd, stored.positionInBundle.map { String($0) },
        ].map(IndexText.storable)
        let placeholders = (1...values.count).map { "$\($0)" }.joined(separator: ", ")
        let inserted = try connection.execute(
            """
            INSERT INTO records (\(Self.recordColumns.dropFirst().joined(separator: ", "))) VALUES (\(placeholders))
            ON CONFLICT DO NOTHING RETURNING id
            """, values)
        return inserted.firstColumn.first.flatMap { $0.flatMap { Int64($0) } }
    }

    private func nextRecordID() throws -> Int64 {
        if recordIDs.isEmpty {
            let taken = try connection.execute("SELECT nextval('records_id_seq') AS id FROM generate_series(1, 1000)")
            recordIDs = taken.firstColumn.compactMap { $0.flatMap { Int64($0) } }.reversed()
        }
        guard let id = recordIDs.popLast() else {
            throw IndexError.database(path: connection.location.description, reason: "the records sequence gave no id")
        }
        return id
    }

    func relocate(_ stored: WARCStoredRecord, recordID: String) throws -> Bool {
        let moved = try connection.execute(
            "UPDATE records SET \"offset\" = $1, length = $2, bundle_position = $3 WHERE file_id = $4 AND record_id = $5 RETURNING id",
            [String(stored.offset), String(stored.length), stored.positionInBundle.map { String($0) }, String(fileID), IndexText.storable(recordID)])
        return !moved.rows.isEmpty
    }

    func insertDamage(_ damage: WARCDamage) throws {
        try connection.execute(
            "INSERT INTO damage (file_id, \"offset\", length, kind, reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            [String(fileID), String(damage.offset), String(damage.length), damage.kind.rawValue, IndexText.storable(damage.reason)])
    }

    func insertRerun(session: String, original: String, seen: String?) throws {
        try connection.execute(
            """
            INSERT INTO reruns (session, original, first_seen) VALUES ($1, $2, $3)
            ON CONFLICT (session) DO UPDATE SET first_seen = least(reruns.first_seen, excluded.first_seen)
            """,
            [IndexText.storable(session), IndexText.storable(original), seen])
    }

    func insertEvent(_ event: EventRow) throws -> Bool {
        events.append(event.session)
        events.append(event.source)
        events.append(event.type)
        events.append(event.data)
        events.append(event.time)
        events.append(event.record)
        events.append(event.position)
        events.endRow()
        return true
    }

    func storedThread(_ session: String) throws -> (messages: [ThreadAccumulator.Message], systemEvents: Set<Int64>) {
        let key = IndexText.storable(session)
        let rows = try connection.execute(
            "SELECT id, position, hash, time, first_seen, last_seen, record, sender FROM messages WHERE session = $1 ORDER BY position", [key])
        var messages: [ThreadAccumulator.Message] = []
        for row in rows.rows.indices {
            guard Int(rows.value("position", row: row) ?? "") == messages.count else { break }
            func text(_ column: String) -> String { rows.value(column, row: row) ?? "" }
            messages.append(
                ThreadAccumulator.Message(
                    hash: Int64(text("hash")) ?? 0, sender: text("sender"), content: "", toolResult: nil, timestamp: nil, time: text("time"),
                    firstSeen: text("first_seen"), lastSeen: text("last_seen"), record: Int64(text("record")) ?? 0, rowID: Int64(text("id")),
                    contentChanged: false, seenChanged: false))
        }
        let hashes = try connection.execute("SELECT hash FROM system_events_seen WHERE session = $1", [key])
        return (messages, Set(hashes.firstColumn.compactMap { $0.flatMap { Int64($0) } }))
    }

    func writeSession(_ thread: ThreadAccumulator) throws {
        let values = SessionMerge.values(of: thread).map { $0.flatMap { IndexText.storable(IndexRow.text($0.databaseValue)) } }
        try connection.execute(ArchiveDatabase.numberedPlaceholders(SessionMerge.sql(greatest: "greatest")), values)
    }

    func insertTitle(session: String, title: String, seen: String) throws {
        try connection.execute(
            """
            INSERT INTO titles (session, title, first_seen) VALUES ($1, $2, $3)
            ON CONFLICT (session, title) DO UPDATE SET first_seen = least(titles.first_seen, excluded.first_seen)
            """,
            [session, title, seen].map(IndexText.storable))
    }

    func insertSystemEventSeen(session: String, hash: Int64) throws {
        try connection.execute(
            "INSERT INTO system_events_seen (session, hash) VALUES ($1, $2) ON CONFLICT DO NOTHING", [IndexText.storable(session), String(hash)])
    }

    func insertMessage(_ message: ThreadAccumulator.Message, position: Int, of thread: ThreadAccumulator) throws {
        newMessages.append(thread.session)
        newMessages.append(position)
        Self.append(message, to: &newMessages)
    }

    func updateMessage(_ message: ThreadAccumulator.Message, rowID: Int64, of thread: ThreadAccumulator) throws {
        changedMessages.append(rowID)
        Self.append(message, to: &changedMessages)
    }

    /// The message's columns both scratch tables end with (`messageColumns`), and the row's end.
    private static func append(_ message: ThreadAccumulator.Message, to rows: inout PostgresCopyRows) {
        rows.append(message.sender)
        rows.append(message.content)
        rows.append(message.toolResult)
        rows.append(message.timestamp)
        rows.append(message.time)
        rows.append(message.firstSeen)
        rows.append(message.lastSeen)
        rows.append(message.record)
        rows.append(message.hash)
        rows.append(FullTextWords.searchText(of: message.content))
        rows.endRow()
    }

    static let messageColumns = [
        "sender", "content", "tool_result", "timestamp", "time", "first_seen", "last_seen", "record", "hash", "search_text",
    ]

    func updateSeen(_ message: ThreadAccumulator.Message, rowID: Int64) throws {
        seenMessages.append(rowID)
        seenMessages.append(message.lastSeen)
        seenMessages.append(message.record)
        seenMessages.endRow()
    }

    /// The scratch tables `finish()` copies messages into before they reach `messages` (their
    /// search vectors are made by the server), emptied at every commit.
    static let scratchTables = """
        CREATE TEMP TABLE IF NOT EXISTS new_messages (
            session text, position bigint, sender text, content text, tool_result text, timestamp text, time text,
            first_seen text, last_seen text, record bigint, hash bigint, search_text text
        ) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS changed_messages (
            id bigint, sender text, content text, tool_result text, timestamp text, time text, first_seen text, last_seen text, record bigint,
            hash bigint, search_text text
        ) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS seen_messages (id bigint, last_seen text, record bigint) ON COMMIT DELETE ROWS;
        """

    /// Sends what was gathered.
    func finish() throws {
        if !records.isEmpty { try connection.copy(into: "records", records) }
        if !events.isEmpty { try connection.copy(into: "events", events) }
        try apply(
            newMessages, through: "new_messages",
            """
            INSERT INTO messages (session, position, sender, content, tool_result, timestamp, time, first_seen, last_seen, record, hash, search)
            SELECT session, position, sender, content, tool_result, timestamp, time, first_seen, last_seen, record, hash,
                   to_tsvector('simple', search_text)
            FROM new_messages
            """)
        try apply(
            changedMessages, through: "changed_messages",
            """
            UPDATE messages m SET sender = c.sender, content = c.content, tool_result = c.tool_result, timestamp = c.timestamp, time = c.time,
                last_seen = c.last_seen, record = c.record, hash = c.hash, search = to_tsvector('simple', c.search_text)
            FROM changed_messages c WHERE m.id = c.id
            """)
        try apply(
            seenMessages, through: "seen_messages", "UPDATE messages m SET last_seen = s.last_seen, record = s.record FROM seen_messages s WHERE m.id = s.id")
    }

    /// Copies `rows` into the scratch table and runs `sql`, which takes them from there.
    private func apply(_ rows: PostgresCopyRows, through scratch: String, _ sql: String) throws {
        guard !rows.isEmpty else { return }
        try connection.copy(into: scratch, rows)
        try connection.execute(sql)
    }
}
