import Foundation
import GRDB

/// `index.sqlite`, opened in WAL mode so that searches run while an index run writes.
public final class ArchiveDatabase: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating and migrating when needed) the index at `path`.
    public init(path: String) throws(IndexError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // The index can be rebuilt from the archives: no fsync per commit (WAL keeps it
            // consistent after a crash of the process), a large page cache and memory-mapped
            // reads so that loading is bound by the archives, not by page I/O.
            try db.execute(
                sql: """
                    PRAGMA synchronous = NORMAL;
                    PRAGMA cache_size = -131072;
                    PRAGMA mmap_size = 1073741824;
                    PRAGMA temp_store = MEMORY;
                    PRAGMA wal_autocheckpoint = 16384;
                    """)
        }
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            pool = try DatabasePool(path: path, configuration: configuration)
            try IndexSchema.migrator().migrate(pool)
            try pool.write { db in try IndexSchema.createSecondaryIndexes(db) }
        } catch {
            throw .database(path: path, reason: "\(error)")
        }
    }

    /// Opens an existing index for reading; a missing file is an error that says how to make one.
    public static func openExisting(path: String) throws(IndexError) -> ArchiveDatabase {
        guard FileManager.default.fileExists(atPath: path) else { throw .noIndex(path: path) }
        return try ArchiveDatabase(path: path)
    }
}
