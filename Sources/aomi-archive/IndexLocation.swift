import ArchiveIndex
import ArgumentParser
import Foundation

/// Where the index lives: `--db`, or `index.sqlite` in the archive root.
struct IndexLocation: ParsableArguments {
    @Option(help: "Archive root.")
    var archives = "Archives"

    @Option(help: "Index database (default: <archives>/index.sqlite).")
    var db: String?

    var databasePath: String { db ?? (archives as NSString).appendingPathComponent("index.sqlite") }

    /// A `postgres://` URL is refused by name rather than taken for a file path: this version
    /// has the PostgreSQL schema but does not load into it or query it yet.
    func validate() throws {
        if let db, let postgres = PostgresLocation(db) {
            throw ValidationError(
                "--db \(postgres): this version indexes into SQLite only (a PostgreSQL index is not loaded or queried yet); give a file path, or leave --db out for <archives>/index.sqlite"
            )
        }
    }
}
