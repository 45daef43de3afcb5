import ArgumentParser
import Foundation

/// Where the index lives: `--db`, or `index.sqlite` in the archive root.
struct IndexLocation: ParsableArguments {
    @Option(help: "Archive root.")
    var archives = "Archives"

    @Option(help: "Index database (default: <archives>/index.sqlite).")
    var db: String?

    var databasePath: String { db ?? (archives as NSString).appendingPathComponent("index.sqlite") }
}
