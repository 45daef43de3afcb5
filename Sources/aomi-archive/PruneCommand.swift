import ArchiveIndex
import ArgumentParser
import Foundation
import Retention

/// `aomi-archive prune`: the retention policy, run by hand (or from cron).
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove closed archive files whose newest record is older than --older-than, and their rows in the index.",
        discussion: """
            With the same care as forget: a revisit in a file that stays whose original goes is \
            first rewritten as a full record, and the index loses those files' records and the \
            sessions left with none. Files still being written (.open) and the files of running \
            recorders are never touched. One line goes to ROOT/.forgotten.log. record --retain does \
            the same while it records.
            """)

    @Option(help: "Age past which a closed file goes, judged by its newest record (90d, 12h).")
    var olderThan: DurationArgument

    @OptionGroup var location: IndexLocation

    @Flag(help: "List what would go, and change nothing.")
    var dryRun = false

    func validate() throws {
        guard !olderThan.isZero else { throw ValidationError("--older-than must be more than 0 (90d, 12h)") }
        guard FileManager.default.isDirectory(location.archives) else { throw ValidationError("--archives \(location.archives) is not a folder") }
    }

    func run() throws {
        if !dryRun { try location.requireWritableRoot(for: "prune") }
        let cutoff = Date().addingTimeInterval(-olderThan.duration.seconds)
        let pruner = ArchivePruner(root: location.archives, database: try ArchiveDatabase(location: location.database))
        let report: ArchivePruner.Report
        do {
            report = try pruner.prune(olderThan: cutoff, dryRun: dryRun)
        } catch {
            printError("prune: \(error)")
            throw ExitCode(1)
        }
        let plan = report.plan
        print("\(dryRun ? "dry run: would remove" : "removed") \(Counted.of(plan.records, "record")) older than \(olderThan)")
        for file in plan.filesDeleted { print("  \(dryRun ? "would delete" : "deleted")   \(file)") }
        for file in plan.filesRewritten { print("  \(dryRun ? "would rewrite" : "rewrote")   \(file) (\(Counted.of(plan.revisitsMadeWhole, "revisit")) made full records)") }
        print("  \(Counted.of(plan.sessions.count, "session")) left with no record \(dryRun ? "would go" : "gone") from the index")
    }
}

extension Duration {
    /// In seconds, with fractions.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
