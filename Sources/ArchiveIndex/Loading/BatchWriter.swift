import WARC

/// Where one batch's rows go: one transaction of the index, on SQLite or on PostgreSQL.
/// `BatchLoader` decides what to write; a writer only knows how its engine takes it (SQLite
/// row by row through cached statements, PostgreSQL gathered and sent in bulk at `finish`).
protocol BatchWriter: AnyObject {
    /// Adds a record's row: its row id, or nil when the index already has a record at its place.
    func insertRecord(_ prepared: PreparedRecord) throws -> Int64?
    /// Moves the row of the file's record with this id to where it is stored now; false when
    /// the index has no such row.
    func relocate(_ stored: WARCStoredRecord, recordID: String) throws -> Bool
    func insertDamage(_ damage: WARCDamage) throws
    /// Adds an event; false when its record already has an event at that position.
    func insertEvent(_ event: EventRow) throws -> Bool
    /// A session's stored messages (in thread order, without their text) and the hashes of
    /// its stored system events.
    func storedThread(_ session: String) throws -> (messages: [ThreadAccumulator.Message], systemEvents: Set<Int64>)
    /// Creates or merges a session's row.
    func writeSession(_ thread: ThreadAccumulator) throws
    /// Adds a title the session had, or moves its first sighting earlier: files of one session
    /// are read in any order (by concurrent indexers, say), and the earliest sighting wins.
    func insertTitle(session: String, title: String, seen: String) throws
    func insertSystemEventSeen(session: String, hash: Int64) throws
    /// Notes that `session` reruns `original` (once; the earliest sighting kept).
    func insertRerun(session: String, original: String, seen: String?) throws
    func insertMessage(_ message: ThreadAccumulator.Message, position: Int, of thread: ThreadAccumulator) throws
    /// Replaces a stored message's content (a streaming message grew) and its search text.
    func updateMessage(_ message: ThreadAccumulator.Message, rowID: Int64, of thread: ThreadAccumulator) throws
    /// Moves a stored, unchanged message's last sighting.
    func updateSeen(_ message: ThreadAccumulator.Message, rowID: Int64) throws
}

/// An event's row: an SSE event of `GET /api/updates`, or a system event of a snapshot.
struct EventRow {
    var session: String?
    var source: String
    var type: String?
    var data: String
    var time: String
    var record: Int64
    var position: Int
}
