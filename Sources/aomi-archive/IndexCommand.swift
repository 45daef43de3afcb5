import ArchiveIndex
import ArgumentParser
import Foundation
import ObjectStore
import StoredArchives

/// `aomi-archive index`: loads the archives into the index (SQLite or PostgreSQL).
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index the archives (incrementally) so that chats can be searched.",
        discussion: """
            Every .warc.gz and .warc.gz.open file under the root is read from where the last run \
            stopped; a second run over unchanged files changes nothing. Damaged files are indexed \
            up to the damage, which is reported; the exit status is then 1. Into SQLite, one run \
            writes at a time and a second one waits for it; into PostgreSQL (--db postgres://…), \
            several runs, on any machines, share the files between them. With --archives \
            s3://BUCKET/PREFIX the store's closed objects are indexed (the index named by --db or \
            AOMI_ARCHIVE_DB): one already read at its present size is not fetched again, a new or \
            rewritten one is fetched into the cache (AOMI_ARCHIVE_CACHE) and read.
            """
    )

    @OptionGroup var location: IndexLocation

    @Flag(help: "Start from an empty index.")
    var rebuild = false

    func validate() throws {
        if location.isStore {
            try location.validateArchives()
            try location.requireStoreDatabase()
            return
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: location.archives, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("the archive folder \(location.archives) does not exist (record or crawl into it first, or name another with --archives)")
        }
    }

    func run() async throws {
        let path = location.databaseDescription
        let database: ArchiveDatabase
        var lock: IndexWriterLock?
        if location.isPostgres {
            database = try ArchiveDatabase(location: location.database)
            if rebuild { try database.removeEverything() }
        } else {
            lock = try IndexWriterLock(database: path) {
                FileHandle.standardError.write(Data("another index run is writing \(path); waiting for it to finish…\n".utf8))
            }
            if rebuild {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            database = try ArchiveDatabase(path: path)
        }
        let showProgress = isatty(STDERR_FILENO) == 1
        let progress: @Sendable (IndexProgress) -> Void = { progress in
            guard showProgress else { return }
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.progressLine(progress)).utf8))
        }
        var fromStore = ""
        var refused = false
        let report: IndexRunReport
        if let store = try await StoreOption.named(location.archives, command: "index") {
            let run = try await StoreIndexer(files: try store.files(), database: database).run(progress: progress)
            report = run.index
            refused = store.sayRefused(run.refusedKeys, command: "index")
            fromStore =
                " (\(Counted.of(run.objectsListed, "object")) in \(store.location): \(run.objectsUnchanged) unchanged, not fetched; "
                + "\(run.objectsFetched) fetched, \(run.bytesFetched) bytes)"
        } else {
            report = try ArchiveIndexer(database: database, root: location.archives).run(progress: progress)
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        withExtendedLifetime(lock) {}
        if report.filesLeftToOthers > 0 {
            FileHandle.standardError.write(Data("\(report.filesLeftToOthers) files were being read by another indexer, and are left to it\n".utf8))
        }
        for damage in report.damage {
            FileHandle.standardError.write(Data("damage: \(damage)\n".utf8))
        }
        for damage in report.knownDamage {
            FileHandle.standardError.write(Data("damage (found before, the file is unchanged): \(damage)\n".utf8))
        }
        let moved = report.recordsRelocated > 0 ? ", moved \(Counted.of(report.recordsRelocated, "compacted record"))" : ""
        print(
            "indexed \(Counted.of(report.recordsLoaded, "record")) (\(Counted.of(report.messagesWritten, "new or changed message")), "
                + "\(Counted.of(report.eventsWritten, "event")))\(moved) from \(report.filesRead) of \(Counted.of(report.filesSeen, "file")) "
                + "in \(Counted.seconds(report.seconds)) (\(Int(report.recordsPerSecond.rounded())) records/s) into \(path)\(Self.damageNote(report))\(fromStore)")
        if !report.damage.isEmpty || !report.knownDamage.isEmpty || refused { throw ExitCode(1) }
    }

    /// `; 2 damaged places` (and how many of them earlier runs found), or nothing.
    static func damageNote(_ report: IndexRunReport) -> String {
        let count = report.damage.count + report.knownDamage.count
        guard count > 0 else { return "" }
        return "; \(count) damaged places" + (report.knownDamage.isEmpty ? "" : " (\(report.knownDamage.count) found by an earlier run)")
    }

    /// `indexing: 42% (3/7 files, 12,345 records, 80.1 MB/s, about 12 s left)`.
    static func progressLine(_ progress: IndexProgress) -> String {
        let rate = progress.seconds > 0 ? Double(progress.bytes) / progress.seconds : 0
        let fraction = progress.totalBytes > 0 ? Double(progress.bytes) / Double(progress.totalBytes) : 0
        let left = rate > 0 ? Double(progress.totalBytes - progress.bytes) / rate : 0
        return String(
            format: "indexing: %.0f%% (%d/%d files, %d records, %.1f MB/s, about %.0f s left)",
            fraction * 100, progress.filesDone, progress.filesTotal, progress.records, rate / 1_048_576, max(0, left))
    }
}
