import AomiAPI
import Foundation
import GRDB
import WARC

/// Loads the archive files under a root into the index, incrementally (each file from the
/// offset where the last run stopped; a file that shrank or whose identity changed is
/// reloaded) and idempotently (a second run over the same files changes no row).
public final class ArchiveIndexer {
    public let database: ArchiveDatabase
    public let root: String
    /// Records per transaction: progress is saved at least this often.
    var batchRecords = 20_000

    public init(database: ArchiveDatabase, root: String) {
        self.database = database
        self.root = root
    }

    /// Indexes what is new. `progress` is called after every batch of records.
    public func run(progress: (IndexProgress) -> Void = { _ in }) throws(IndexError) -> IndexRunReport {
        let started = ContinuousClock.now
        let files = try ArchiveFile.all(under: root)
        var report = IndexRunReport()
        report.filesSeen = files.count
        for (number, file) in files.enumerated() {
            do {
                try index(file, report: &report) { records, bytes in
                    progress(IndexProgress(filesDone: number, filesTotal: files.count, records: records, bytes: bytes,
                                           seconds: Self.seconds(since: started)))
                }
            } catch let error as IndexError {
                throw error
            } catch {
                throw .database(path: database.path, reason: "\(file.path): \(error)")
            }
            progress(IndexProgress(filesDone: number + 1, filesTotal: files.count, records: report.recordsLoaded, bytes: report.bytesRead,
                                   seconds: Self.seconds(since: started)))
        }
        report.seconds = Self.seconds(since: started)
        return report
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    // MARK: One file

    private func index(_ file: ArchiveFile, report: inout IndexRunReport, progress: (Int, Int64) -> Void) throws {
        let pool = database.pool
        let known = try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT id, path, size, indexed_to FROM files WHERE path = ? OR path = ?",
                             arguments: [file.path, file.path + WARCWriterConfiguration.openSuffix])
        }
        if let known, (known["indexed_to"] as Int64) == file.size, (known["size"] as Int64) == file.size, (known["path"] as String) == file.path {
            return
        }
        let identity = file.identity()
        let start: Int64
        let fileID: Int64 = try pool.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, size, indexed_to FROM files WHERE identity = ?", arguments: [identity]) {
                let id: Int64 = row["id"]
                let indexedTo: Int64 = row["indexed_to"]
                if file.size < indexedTo {
                    try Self.forget(fileID: id, db: db)
                    try db.execute(sql: "UPDATE files SET path = ?, size = ?, indexed_to = 0, records = 0 WHERE id = ?", arguments: [file.path, file.size, id])
                } else {
                    try db.execute(sql: "UPDATE files SET path = ? WHERE id = ?", arguments: [file.path, id])
                }
                return id
            }
            try db.execute(sql: "DELETE FROM files WHERE path = ?", arguments: [file.path])
            try db.execute(sql: "INSERT INTO files (identity, path, size, indexed_to, indexed_at) VALUES (?, ?, ?, 0, ?)",
                           arguments: [identity, file.path, file.size, WARCDate.now().description])
            return db.lastInsertedRowID
        }
        start = try pool.read { db in try Int64.fetchOne(db, sql: "SELECT indexed_to FROM files WHERE id = ?", arguments: [fileID]) ?? 0 }
        guard start < file.size else {
            try pool.write { db in try db.execute(sql: "UPDATE files SET size = ? WHERE id = ?", arguments: [file.size, fileID]) }
            return
        }
        report.filesRead += 1
        try load(file, fileID: fileID, from: start, report: &report, progress: progress)
    }

    /// Removes what a file contributed (before it is read again from the start).
    private static func forget(fileID: Int64, db: Database) throws {
        try db.execute(sql: "DELETE FROM events WHERE record IN (SELECT id FROM records WHERE file_id = ?)", arguments: [fileID])
        try db.execute(sql: "DELETE FROM records WHERE file_id = ?", arguments: [fileID])
        try db.execute(sql: "DELETE FROM damage WHERE file_id = ?", arguments: [fileID])
    }

    private func load(_ file: ArchiveFile, fileID: Int64, from start: Int64, report: inout IndexRunReport, progress: (Int, Int64) -> Void) throws {
        var options = WARCReaderOptions()
        options.startOffset = start
        let reader: WARCFileReader
        do {
            reader = try WARCFileReader(path: file.path, options: options)
        } catch {
            report.damage.append(WARCDamage(file: file.path, offset: start, length: file.size - start, kind: .notWARC, reason: "\(error)"))
            return
        }
        var events: [WARCReadEvent] = []
        var finished = false
        var previousOffset = start
        while !finished {
            events.removeAll(keepingCapacity: true)
            while events.count < batchRecords, let event = reader.next() { events.append(event) }
            finished = events.count < batchRecords
            let batch = events
            let endOffset = reader.endOfLastRecord
            let counts = try database.pool.write { db in
                var loader = BatchLoader(db: db, fileID: fileID, file: file)
                try loader.load(batch)
                try loader.flush()
                try db.execute(sql: "UPDATE files SET indexed_to = ?, size = ?, records = records + ?, indexed_at = ? WHERE id = ?",
                               arguments: [endOffset, file.size, loader.recordsLoaded, WARCDate.now().description, fileID])
                return loader.counts
            }
            report.recordsLoaded += counts.records
            report.messagesWritten += counts.messages
            report.eventsWritten += counts.events
            report.damage += counts.damage
            report.bytesRead += max(0, endOffset - previousOffset)
            previousOffset = endOffset
            progress(report.recordsLoaded, report.bytesRead)
        }
    }
}
