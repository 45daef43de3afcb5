import Foundation
import GRDB

/// The index, wherever it lives: `index.sqlite` (a file path; the embedded default, opened in
/// WAL mode so that searches run while an index run writes) or a PostgreSQL database (a
/// `postgres://` URL; many indexers and searchers on many machines). Both hold the same
/// tables and documented views, and answer the same queries with the same rows.
public final class ArchiveDatabase: Sendable {
    /// What names the index in messages: the file path, or the URL with its password hidden.
    public let path: String
    let store: Store

    /// The engine behind the index.
    enum Store: Sendable {
        case sqlite(DatabasePool)
        case postgres(PostgresPool)
    }

    /// Opens (creating and migrating when needed) the index at `location`: a file path, or a
    /// `postgres://` URL.
    public convenience init(location: String) throws(IndexError) {
        if let postgres = PostgresLocation(location) {
            try self.init(postgres: postgres)
        } else {
            try self.init(path: location)
        }
    }

    /// Opens (creating and migrating when needed) the SQLite index at `path`.
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
            try SearchRank.register(db)
        }
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let pool = try DatabasePool(path: path, configuration: configuration)
            try IndexSchema.migrator().migrate(pool)
            try pool.write { db in try IndexSchema.createSecondaryIndexes(db) }
            store = .sqlite(pool)
        } catch {
            throw .database(path: path, reason: "\(error)")
        }
    }

    /// Connects to the PostgreSQL index at `postgres`, applying the migrations it lacks.
    public convenience init(postgres: PostgresLocation) throws(IndexError) {
        try self.init(pool: PostgresPool(location: postgres))
    }

    private init(pool: PostgresPool) throws(IndexError) {
        path = pool.location.description
        try pool.withConnection { connection throws(IndexError) in
            do {
                try PostgresSchema.migrate(connection)
            } catch let error as IndexError {
                throw error
            } catch {
                throw .database(path: pool.location.description, reason: "\(error)")
            }
        }
        store = .postgres(pool)
    }

    /// Opens an existing index for reading; a missing file, or a PostgreSQL database no
    /// indexer has loaded into, is an error that says how to make one.
    public static func openExisting(location: String) throws(IndexError) -> ArchiveDatabase {
        if let postgres = PostgresLocation(location) {
            let pool = PostgresPool(location: postgres)
            let version = try pool.withConnection { connection throws(IndexError) in try PostgresSchema.appliedVersion(connection) }
            guard version > 0 else { throw .noIndex(path: postgres.description) }
            return try ArchiveDatabase(pool: pool)
        }
        return try openExisting(path: location)
    }

    /// Opens an existing SQLite index for reading; a missing file is an error that says how to make one.
    public static func openExisting(path: String) throws(IndexError) -> ArchiveDatabase {
        guard FileManager.default.fileExists(atPath: path) else { throw .noIndex(path: path) }
        return try ArchiveDatabase(path: path)
    }

    /// True for an index in PostgreSQL.
    public var isPostgres: Bool {
        if case .postgres = store { return true }
        return false
    }
}

extension ArchiveDatabase {
    static let tables = ["files", "records", "sessions", "titles", "messages", "events", "system_events_seen", "damage"]

    /// Empties the index (for `index --rebuild`): every table, and on PostgreSQL the file
    /// claims and the id sequences.
    public func removeEverything() throws(IndexError) {
        switch store {
        case let .sqlite(pool):
            do {
                try pool.write { db in
                    for table in Self.tables { try db.execute(sql: "DELETE FROM \(table)") }
                    try db.execute(sql: "INSERT INTO messages_fts(messages_fts) VALUES('delete-all')")
                }
            } catch {
                throw .database(path: path, reason: "\(error)")
            }
        case let .postgres(pool):
            try pool.withConnection { connection throws(IndexError) in
                try connection.execute("TRUNCATE \((Self.tables + ["file_claims"]).joined(separator: ", ")) RESTART IDENTITY")
            }
        }
    }
}
