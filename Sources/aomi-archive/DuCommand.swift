import ArchiveIndex
import ArgumentParser
import Foundation
import Retention

/// `aomi-archive du`: what the archive root keeps, per wallet or per day.
struct DuCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "du",
        abstract: "Show what is kept per wallet or per day: bytes live and compacted, records, sessions, oldest and newest.",
        discussion: "The index is brought up to date first. By day, a file's bytes count on the day of its newest record (the day prune goes by).")

    @Option(help: "Group by wallet or day.")
    var by: ArchiveUsage.Grouping = .wallet

    @OptionGroup var location: IndexLocation

    @Flag(help: "JSON Lines: one object per group (kind \"group\"), then the total (kind \"total\").")
    var json = false

    func validate() throws {
        guard FileManager.default.isDirectory(location.archives) else { throw ValidationError("--archives \(location.archives) is not a folder") }
    }

    func run() throws {
        let database = try ArchiveDatabase(location: location.database)
        _ = try ArchiveIndexer(database: database, root: location.archives).run()
        let (rows, total) = try ArchiveUsage(root: location.archives, database: database).rows(by: by)
        if json {
            let output = JSONLinesWriter()
            for row in rows { output.write(["kind": "group", "by": by.rawValue], row) }
            output.write(["kind": "total"], total)
            return
        }
        let keyWidth = by == .wallet ? 44 : 12
        print(by.rawValue.padding(toLength: keyWidth, withPad: " ", startingAt: 0) + "files       live  compacted   records  sessions  oldest                       newest")
        for row in rows + [total] {
            print(
                row.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0) + String(row.files).leftPadded(5)
                    + ArchiveUsage.readable(bytes: row.bytesLive).leftPadded(11) + ArchiveUsage.readable(bytes: row.bytesCompacted).leftPadded(11)
                    + String(row.records).leftPadded(10)
                    + String(row.sessions).leftPadded(10) + "  " + (row.oldest ?? "-").padding(toLength: 29, withPad: " ", startingAt: 0) + (row.newest ?? "-"))
        }
    }
}

extension ArchiveUsage.Grouping: ExpressibleByArgument {}
