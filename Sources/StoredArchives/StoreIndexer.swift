import AomiArchive
import ArchiveIndex
import Foundation
import ObjectStore

/// `index --archives s3://BUCKET/PREFIX`: loads a store's closed archive objects into the
/// index, incrementally by object. The index keeps each file by its object's address
/// (`s3://BUCKET/KEY`, what `StoreFiles` finds it by again); an object the index has read to
/// the end at its present size is not even fetched, and a new or rewritten one is fetched
/// into the cache and read as a local file is. A rewritten object (compacted, or rewritten
/// by a forget) has a new identity or a new size, and is read again as a rewritten file is.
///
/// Objects are fetched and read in turns of about `turnBytes`, the next turn fetched while
/// one is read, so the cache need not hold the whole store and the network and the indexer
/// work at once. Several indexers (on PostgreSQL) share the work through the claims, as
/// on a shared root; each fetches what it has not seen read yet.
public struct StoreIndexer: Sendable {
    /// The store's objects, and the cache they are fetched into.
    public let files: StoreFiles
    public let database: ArchiveDatabase
    /// PostgreSQL only: this indexer's name in the claims.
    public var indexerName: String?
    /// About how many bytes of objects are fetched before they are read (two turns are in the
    /// cache at once: the one read and the next one fetched).
    public var turnBytes: Int64

    public init(files: StoreFiles, database: ArchiveDatabase) {
        self.files = files
        self.database = database
        turnBytes = max(16 << 20, min(128 << 20, files.cache.limitBytes / 4))
    }

    /// What a run from a store did.
    public struct Report: Sendable {
        public var index = IndexRunReport()
        public var objectsListed = 0
        /// Objects the index had read to the end at their present size: not fetched.
        public var objectsUnchanged = 0
        public var objectsFetched = 0
        public var bytesFetched: Int64 = 0
        /// Archive objects whose keys no local path can stand for (`..`, empty segments): not read.
        public var refusedKeys: [String] = []
    }

    public func run(progress: @escaping @Sendable (IndexProgress) -> Void = { _ in }) async throws -> Report {
        let started = ContinuousClock.now
        let listing = try await files.archiveObjects()
        let objects = listing.objects
        let bucket = files.location.bucket
        let known = try ArchiveQueries(database: database).indexedFiles(under: StoreFiles.address(of: files.location.listingPrefix, bucket: bucket))
        var report = Report()
        report.objectsListed = objects.count
        report.refusedKeys = listing.refusedKeys
        let changed = objects.filter { object in
            guard let seen = known[StoreFiles.address(of: object.key, bucket: bucket)] else { return true }
            return seen.size != object.size || seen.indexedTo != object.size
        }
        report.objectsUnchanged = objects.count - changed.count
        try await read(Self.turns(of: changed, bytes: turnBytes), into: &report, progress: progress)
        report.index.filesSeen = objects.count
        let elapsed = ContinuousClock.now - started
        report.index.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return report
    }

    /// `objects` in turns of about `bytes` each (an object larger than that is a turn alone).
    static func turns(of objects: [StoreObject], bytes: Int64) -> [[StoreObject]] {
        var turns: [[StoreObject]] = []
        var size: Int64 = 0
        for object in objects {
            if turns.isEmpty || size >= bytes {
                turns.append([])
                size = 0
            }
            turns[turns.count - 1].append(object)
            size += object.size
        }
        return turns
    }

    /// Reads the turns in order, fetching the next one while the indexer reads this one: the
    /// time is about the larger of the two, not their sum.
    private func read(_ turns: [[StoreObject]], into report: inout Report, progress: @escaping @Sendable (IndexProgress) -> Void) async throws {
        let cache = files.cache
        var next: Task<ObjectCache.Checkout, any Error>? = turns.first.map { turn in Task { try await cache.checkout(turn) } }
        defer { next?.cancel() }
        for index in turns.indices {
            guard let fetching = next else { break }
            let checkout = try await fetching.value
            next = index + 1 < turns.count ? Task { [turn = turns[index + 1]] in try await cache.checkout(turn) } : nil
            defer { checkout.release() }
            try await read(turns[index], from: checkout, into: &report, progress: progress)
        }
    }

    /// Runs the indexer (synchronous, long) on a thread of its own, not on one of Swift
    /// concurrency's few, which the downloads and a server's pages need.
    private static func offThePool<Result: Sendable>(_ work: @escaping @Sendable () throws(IndexError) -> Result) async throws(IndexError) -> Result {
        let outcome = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Swift.Result { () throws(IndexError) in try work() }) }
        }
        return try outcome.get()
    }

    /// Reads one fetched turn of objects into the index.
    private func read(
        _ objects: [StoreObject], from checkout: ObjectCache.Checkout, into report: inout Report, progress: @escaping @Sendable (IndexProgress) -> Void
    ) async throws {
        report.objectsFetched += objects.count
        report.bytesFetched += objects.reduce(Int64(0)) { $0 + $1.size }
        let sources = zip(objects, checkout.paths).map { object, local in
            ArchiveIndexer.Source(path: StoreFiles.address(of: object.key, bucket: files.location.bucket), size: object.size, localCopy: local)
        }
        let (database, root, name) = (database, checkout.folder, indexerName)
        let run = try await Self.offThePool { () throws(IndexError) in
            let indexer = ArchiveIndexer(database: database, root: root)
            if let name { indexer.indexerName = name }
            return try indexer.run(sources: sources, progress: progress)
        }
        report.index.add(run)
    }
}
