import Foundation
import WARC

/// Loading into a PostgreSQL index, which several indexers may do at once. Files are taken a
/// few at a time, each under a claim (`PostgresFileClaims`, by the file's identity), so that
/// indexers share the work and none reads a file another is reading; a claim is renewed by
/// every batch and runs out when its indexer stops renewing it (crashed). Each batch's
/// transaction also locks its file's row and checks that `indexed_to` is where this run
/// left it, so a file is never loaded twice even if a claim ran out under a slow indexer;
/// and it takes an advisory lock per session it reads, in one order, so that two indexers
/// loading the same session from different files add its messages one after the other.
struct PostgresLoadStore: LoadStore {
    let connection: PostgresConnection
    let claims: PostgresFileClaims
    /// Files claimed and read per round: small, so that indexers starting together interleave.
    var filesPerRound = 4

    init(connection: PostgresConnection, indexer: String, lease: Duration) throws(IndexError) {
        self.connection = connection
        claims = PostgresFileClaims(connection: connection, indexer: indexer, lease: lease)
        try connection.execute(PostgresBatchWriter.scratchTables)
    }

    /// `host:pid:random`, unique among indexers sharing a database.
    static func defaultIndexerName() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
    }

    private var location: String { connection.location.description }

    mutating func nextPlans(from files: inout ArraySlice<ArchiveFile>, report: inout IndexRunReport) throws -> [PlannedFile] {
        var plans: [PlannedFile] = []
        while plans.count < filesPerRound, let file = files.popFirst() {
            guard try hasNew(file) else { continue }
            let (identity, compacted) = file.identity()
            guard try claims.claim(identity) else {
                report.filesLeftToOthers += 1
                continue
            }
            if let plan = try plan(file, identity: identity, compacted: compacted) {
                plans.append(plan)
            } else {
                try claims.release(identity)
            }
        }
        return plans
    }

    /// False when the index has read the whole file at this path already.
    private func hasNew(_ file: ArchiveFile) throws -> Bool {
        let known = try connection.execute(
            "SELECT path, size, indexed_to FROM files WHERE path = $1 OR path = $2",
            [IndexText.storable(file.path), IndexText.storable(file.path + WARCWriterConfiguration.openSuffix)])
        guard !known.rows.isEmpty else { return true }
        let size = String(file.size)
        return !(known.value("indexed_to", row: 0) == size && known.value("size", row: 0) == size && known.value("path", row: 0) == file.path)
    }

    /// Where to read `file` from, or nil when it holds nothing new (as `SQLiteLoadStore` plans).
    private func plan(_ file: ArchiveFile, identity: String, compacted: Bool) throws -> PlannedFile? {
        let path = IndexText.storable(file.path)
        let key = IndexText.storable(identity)
        let size = String(file.size)
        let (fileID, start, relocating): (Int64, Int64, Bool) = try connection.transaction {
            let known = try connection.execute("SELECT id, indexed_to FROM files WHERE identity = $1 FOR UPDATE", [key])
            if let id = known.value("id", row: 0), let indexedTo = Int64(known.value("indexed_to", row: 0) ?? "") {
                if file.size < indexedTo {
                    try forget(fileID: id)
                    try connection.execute("UPDATE files SET path = $1, size = $2, indexed_to = 0, records = 0 WHERE id = $3", [path, size, id])
                    return (Int64(id) ?? 0, 0, false)
                }
                try connection.execute("UPDATE files SET path = $1, size = $2 WHERE id = $3", [path, size, id])
                return (Int64(id) ?? 0, indexedTo, false)
            }
            let samePath = try connection.execute("SELECT id FROM files WHERE path = $1 FOR UPDATE", [path]).value("id", row: 0)
            if compacted, let id = samePath {
                try connection.execute("DELETE FROM records WHERE file_id = $1 AND type = 'warcinfo'", [id])
                try connection.execute("DELETE FROM damage WHERE file_id = $1", [id])
                try connection.execute("UPDATE files SET identity = $1, size = $2, indexed_to = 0 WHERE id = $3", [key, size, id])
                return (Int64(id) ?? 0, 0, true)
            }
            if let id = samePath {
                try forget(fileID: id)
                try connection.execute("DELETE FROM files WHERE id = $1", [id])
            }
            let inserted = try connection.execute(
                "INSERT INTO files (identity, path, size, indexed_to, indexed_at) VALUES ($1, $2, $3, 0, $4) RETURNING id",
                [key, path, size, WARCDate.now().description])
            return (Int64(inserted.value("id", row: 0) ?? "") ?? 0, 0, false)
        }
        guard start < file.size else { return nil }
        return PlannedFile(file: file, identity: identity, fileID: fileID, start: start, relocating: relocating)
    }

    /// Removes what a file contributed (before it is read again from the start).
    private func forget(fileID: String) throws {
        try connection.execute("DELETE FROM events WHERE record IN (SELECT id FROM records WHERE file_id = $1)", [fileID])
        try connection.execute("DELETE FROM records WHERE file_id = $1", [fileID])
        try connection.execute("DELETE FROM damage WHERE file_id = $1", [fileID])
    }

    mutating func load(
        _ batch: BatchPrefetcher.Batch, of plan: PlannedFile, from start: Int64, _ body: (any BatchWriter) throws -> BatchLoader.Counts
    ) throws -> BatchLoader.Counts? {
        try connection.transaction {
            guard try claims.claim(plan.identity) else { return nil }
            let row = try connection.execute("SELECT indexed_to FROM files WHERE id = $1 FOR UPDATE", [String(plan.fileID)])
            guard row.value("indexed_to", row: 0) == String(start) else { return nil }
            try lockSessions(of: batch)
            let writer = PostgresBatchWriter(connection: connection, fileID: plan.fileID, relocating: plan.relocating)
            let counts = try body(writer)
            try writer.finish()
            try connection.execute(
                "UPDATE files SET indexed_to = $1, size = $2, records = records + $3, indexed_at = $4 WHERE id = $5",
                [String(batch.endOffset), String(plan.file.size), String(counts.records), WARCDate.now().description, String(plan.fileID)])
            return counts
        }
    }

    /// Takes the advisory lock of every session the batch has records of, in the order of
    /// their keys (so that two indexers never wait for each other in a circle), held until
    /// the transaction ends.
    private func lockSessions(of batch: BatchPrefetcher.Batch) throws {
        var sessions: Set<String> = []
        for event in batch.events {
            if case let .record(prepared) = event, let session = prepared.fields.session { sessions.insert(session) }
        }
        guard !sessions.isEmpty else { return }
        try connection.execute(
            """
            SELECT count(pg_advisory_xact_lock(\(Self.sessionLockClass), key))
            FROM (SELECT DISTINCT hashtext(s) AS key FROM unnest($1::text[]) AS s ORDER BY key) AS keys
            """, [IndexText.arrayLiteral(sessions.sorted())])
    }

    /// The first half of every session lock's key (the second is the session's hash).
    static let sessionLockClass: Int32 = 0x414F_4D49

    mutating func finished(_ plans: [PlannedFile]) throws {
        for plan in plans { try claims.release(plan.identity) }
    }

    /// After a large load: the GIN index's pending list (where inserts wait to be merged, and
    /// which every search reads through) merged now rather than by the next vacuum, and fresh
    /// statistics for the planner, which picks between walking the newest messages and the
    /// GIN index by how many messages it expects a word or a prefix to match. The search
    /// vectors are sampled ten times finer than the default: with a hundred lexemes, prefixes
    /// of rarer words took the slow plan (`brou*` on 1M messages: 666 ms, then 14 ms). Only
    /// here, not as the column's setting, which autovacuum's analyses during a load would use
    /// too (5.5 s each on 1M messages instead of 0.4 s, over and over as the table grows).
    mutating func finishedRun(_ report: IndexRunReport) throws {
        guard report.recordsLoaded + report.messagesWritten >= Self.largeLoad else { return }
        try connection.execute("SELECT gin_clean_pending_list('messages_search'::regclass)")
        try connection.execute("ANALYZE files, records, sessions, titles, events")
        try connection.transaction {
            try connection.execute("SET LOCAL default_statistics_target = 1000")
            try connection.execute("ANALYZE messages")
        }
    }

    /// Rows loaded past which a run refreshes the statistics.
    static let largeLoad = 50_000
}
