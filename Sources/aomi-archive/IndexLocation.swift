import ArchiveIndex
import ArgumentParser
import Foundation
import ObjectStore

/// Where the index lives: `--db` (a SQLite file path, or a `postgres://` URL), else the
/// `AOMI_ARCHIVE_DB` environment variable, else `index.sqlite` in the archive root.
struct IndexLocation: ParsableArguments {
    @Option(help: "Archive root.")
    var archives = "Archives"

    @Option(
        help: """
            Index: a SQLite file, or a PostgreSQL database as postgres://user[:password]@host[:port]/database \
            (default: $AOMI_ARCHIVE_DB, else <archives>/index.sqlite).
            """)
    var db: String?

    /// The index as `ArchiveDatabase(location:)` takes it.
    var database: String { Self.given(db) ?? Self.rootIndex(of: archives) }

    /// Whether `--archives` names an object store (`s3://BUCKET/PREFIX`) rather than a folder.
    var isStore: Bool { StoreLocation.isStore(archives) }

    /// The index a command on a store acts on: only one named by `--db` or `AOMI_ARCHIVE_DB`
    /// (a store has no folder to hold a default one).
    var storeDatabase: String? { Self.given(db) }

    /// For the commands that need an index: a store has no folder to keep a default one in.
    func requireStoreDatabase() throws {
        guard isStore, storeDatabase == nil else { return }
        throw ValidationError("--archives \(archives) is a store: name the index with --db (a SQLite file or postgres://…) or AOMI_ARCHIVE_DB")
    }

    /// Checks `--archives`: a folder that exists, or a store location.
    func validateArchives() throws {
        if isStore { return try StoreOption.validate(archives) }
        guard FileManager.default.isDirectory(archives) else { throw ValidationError("--archives \(archives) is not a folder") }
    }

    /// The index named on the command line or in `AOMI_ARCHIVE_DB`; nil when neither names one.
    static func given(_ db: String?) -> String? {
        if let db { return db }
        if let environment = ProcessInfo.processInfo.environment["AOMI_ARCHIVE_DB"], !environment.isEmpty { return environment }
        return nil
    }

    /// The default index: `index.sqlite` in the archive root.
    static func rootIndex(of archives: String) -> String {
        (archives as NSString).appendingPathComponent("index.sqlite")
    }

    /// The index as messages name it (a URL's password hidden).
    var databaseDescription: String { PostgresLocation(database)?.description ?? database }

    var isPostgres: Bool { PostgresLocation(database) != nil }

    /// Exits 1, before anything is opened or changed, when the archive root cannot be written
    /// (a read-only mount, no permission): said at once rather than at the first rewrite.
    func requireWritableRoot(for command: String) throws {
        guard access(archives, W_OK) != 0 else { return }
        printError("\(command): \(archives) cannot be written (\(String(cString: strerror(errno)))); nothing was changed")
        throw ExitCode(1)
    }
}
