import Foundation
import WARC

/// Loads the archive files under a root into the index, incrementally (each file from the
/// offset where the last run stopped; a file that shrank or whose identity changed is
/// reloaded) and idempotently (a second run over the same files changes no row). On
/// PostgreSQL, several indexers may run at once: they share the files through claims.
public final class ArchiveIndexer {
    public let database: ArchiveDatabase
    public let root: String
    /// Records per transaction: progress is saved at least this often.
    var batchRecords = 2_000
    /// PostgreSQL only: how long a claim on a file lasts unless renewed (every batch renews it).
    public var claimLease: Duration = .seconds(60)
    /// PostgreSQL only: this indexer's name in `file_claims`.
    public var indexerName = PostgresLoadStore.defaultIndexerName()

    public init(database: ArchiveDatabase, root: String) {
        self.database = database
        self.root = root
    }

    /// Indexes what is new. `progress` is called after every batch of records.
    public func run(progress: (IndexProgress) -> Void = { _ in }) throws(IndexError) -> IndexRunReport {
        try run(files: try ArchiveFile.all(under: root), progress: progress)
    }

    /// An archive file kept elsewhere (an object of a store): the path the index keeps for
    /// it, its size there, and a local copy to read it from.
    public struct Source: Sendable {
        public var path: String
        public var size: Int64
        public var localCopy: String

        public init(path: String, size: Int64, localCopy: String) {
            self.path = path
            self.size = size
            self.localCopy = localCopy
        }
    }

    /// Indexes what is new in `sources`, as `run` does the files under the root.
    public func run(sources: [Source], progress: (IndexProgress) -> Void = { _ in }) throws(IndexError) -> IndexRunReport {
        try run(files: sources.map { ArchiveFile(path: $0.path, size: $0.size, readPath: $0.localCopy) }, progress: progress)
    }

    private func run(files: [ArchiveFile], progress: (IndexProgress) -> Void) throws(IndexError) -> IndexRunReport {
        let started = ContinuousClock.now
        var report = IndexRunReport()
        report.filesSeen = files.count
        switch database.store {
        case let .sqlite(pool):
            var store = SQLiteLoadStore(pool: pool)
            try run(&store, files: files, report: &report, started: started, progress: progress)
        case let .postgres(pool):
            try pool.withConnection { connection throws(IndexError) in
                var store = try PostgresLoadStore(connection: connection, indexer: indexerName, lease: claimLease)
                try run(&store, files: files, report: &report, started: started, progress: progress)
            }
        }
        report.knownDamage = try knownDamage(in: files, besides: report.damage)
        report.seconds = Self.seconds(since: started)
        return report
    }

    /// Damage that earlier runs stored for files still under the root, other than what this
    /// run found again: a damaged file that did not change is read no more, but is still damaged.
    private func knownDamage(in files: [ArchiveFile], besides found: [WARCDamage]) throws(IndexError) -> [WARCDamage] {
        let paths = Set(files.map(\.path))
        let foundPlaces = Set(found.map { "\($0.file) \($0.offset)" })
        return try ArchiveQueries(database: database).damage().filter { paths.contains($0.file) && !foundPlaces.contains("\($0.file) \($0.offset)") }
    }

    private func run<Store: LoadStore>(
        _ store: inout Store, files: [ArchiveFile], report: inout IndexRunReport, started: ContinuousClock.Instant, progress: (IndexProgress) -> Void
    ) throws(IndexError) {
        var remaining = files[...]
        var filesDone = 0
        var plannedBytes: Int64 = 0
        while true {
            let before = remaining.count
            let plans: [PlannedFile]
            do {
                plans = try store.nextPlans(from: &remaining, report: &report)
            } catch {
                throw Self.failure(error, path: database.path)
            }
            filesDone += before - remaining.count - plans.count
            guard !plans.isEmpty else {
                if remaining.isEmpty { break }
                continue
            }
            report.filesRead += plans.count
            plannedBytes += plans.reduce(Int64(0)) { $0 + max(0, $1.file.size - $1.start) }
            let totalBytes = plannedBytes + remaining.reduce(Int64(0)) { $0 + $1.size }
            let prefetcher = BatchPrefetcher(plans: plans, batchSize: batchRecords)
            var reached: [Int: Int64] = [:]
            var left: Set<Int> = []
            while let batch = prefetcher.next() {
                let plan = plans[batch.plan]
                let start = reached[batch.plan] ?? plan.start
                if !left.contains(batch.plan) {
                    do {
                        if try load(batch, plan: plan, from: start, into: &store, report: &report) == false { left.insert(batch.plan) }
                    } catch {
                        throw Self.failure(error, path: database.path, file: plan.file.path)
                    }
                    report.bytesRead += max(0, batch.endOffset - start)
                }
                reached[batch.plan] = batch.endOffset
                if batch.isLastOfFile { filesDone += 1 }
                prefetcher.recycle(batch)
                progress(
                    IndexProgress(
                        filesDone: filesDone, filesTotal: files.count, records: report.recordsLoaded, bytes: report.bytesRead,
                        totalBytes: totalBytes, seconds: Self.seconds(since: started)))
            }
            report.filesLeftToOthers += left.count
            do {
                try store.finished(plans)
            } catch {
                throw Self.failure(error, path: database.path)
            }
        }
        guard report.recordsLoaded > 0 else { return }
        do {
            try store.finishedRun(report)
        } catch {
            throw Self.failure(error, path: database.path)
        }
    }

    private static func failure(_ error: any Error, path: String, file: String? = nil) -> IndexError {
        if let error = error as? IndexError, file == nil { return error }
        return .database(path: path, reason: (file.map { $0 + ": " } ?? "") + "\(error)")
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Loads one batch in one transaction; false when another indexer has moved the file on.
    private func load<Store: LoadStore>(
        _ batch: BatchPrefetcher.Batch, plan: PlannedFile, from start: Int64, into store: inout Store, report: inout IndexRunReport
    ) throws -> Bool {
        if let reason = batch.openError {
            report.damage.append(WARCDamage(file: plan.file.path, offset: plan.start, length: plan.file.size - plan.start, kind: .notWARC, reason: reason))
            return true
        }
        let loaded = try store.load(batch, of: plan, from: start) { writer in
            var loader = BatchLoader(writer: writer, file: plan.file, relocating: plan.relocating)
            try loader.load(batch.events)
            try loader.flush()
            return loader.counts
        }
        guard let counts = loaded else { return false }
        report.recordsLoaded += counts.records
        report.messagesWritten += counts.messages
        report.eventsWritten += counts.events
        report.recordsRelocated += counts.relocated
        report.damage += counts.damage
        return true
    }
}
