import ArchiveIndex
import ArgumentParser
import Foundation
import ObjectStore
import Retention
import WARC

/// `aomi-archive prune`: the retention policy, run by hand (or from cron).
struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove the conversations whose newest record is older than --older-than (or --before), whole, and their rows in the index.",
        discussion: """
            Records without a session go by their own date. With the same care as forget: a file \
            left empty is deleted, one that keeps something is rewritten, a revisit that stays \
            whose original goes is first made a full record, and the index loses the records and \
            sessions that went. Files still being written (.open) and the files of running \
            recorders are never touched. One line goes to ROOT/.forgotten.log. record --retain does \
            the same while it records. With --archives s3://BUCKET/PREFIX the store's objects are \
            copied into a temporary folder, pruned there, and put back (rewrites first, then \
            deletions); the log line is an object under PREFIX/.forgotten/.
            """)

    @Option(help: "Age past which a conversation goes, judged by its newest record (90d, 12h).")
    var olderThan: DurationArgument?

    @Option(help: "An instant instead of an age: what is older than it goes (2026-11-01, 2026-11-01T12:00:00Z).")
    var before: String?

    @OptionGroup var location: IndexLocation

    @Flag(help: "List what would go, and change nothing.")
    var dryRun = false

    func validate() throws {
        switch (olderThan, before) {
        case (nil, nil), (.some, .some): throw ValidationError("give one of --older-than (90d, 12h) and --before (2026-11-01)")
        case let (age?, nil): guard !age.isZero else { throw ValidationError("--older-than must be more than 0 (90d, 12h)") }
        case let (nil, instant?): _ = try Self.instant(instant)
        }
        try location.validateArchives()
    }

    func run() async throws {
        let cutoff = try olderThan.map { Date().addingTimeInterval(-$0.duration.seconds) } ?? Self.instant(before ?? "")
        if let store = try await StoreOption.named(location.archives, command: "prune") {
            return try await prune(olderThan: cutoff, in: store)
        }
        if !dryRun { try location.requireWritableRoot(for: "prune") }
        let pruner = ArchivePruner(root: location.archives, database: try ArchiveDatabase(location: location.database))
        let report: ArchivePruner.Report
        do {
            report = try pruner.prune(olderThan: cutoff, dryRun: dryRun)
        } catch {
            printError("prune: \(error)")
            throw ExitCode(1)
        }
        printReport(report, deleted: report.plan.filesDeleted, rewritten: report.plan.filesRewritten)
    }

    /// `--archives s3://…`: the same prune on a copy of the store's objects, put back.
    private func prune(olderThan cutoff: Date, in store: StoreOption) async throws {
        let database = try location.storeDatabase.map { try ArchiveDatabase(location: $0) }
        let retention = StoreRetention(client: store.client, location: store.location, database: database)
        let report: StoreRetention.Report<ArchivePruner.Report>
        do {
            report = try await retention.prune(olderThan: cutoff, dryRun: dryRun)
        } catch {
            printError("prune: \(error)")
            throw ExitCode(1)
        }
        if !dryRun { await store.pruneCache(command: "prune") }
        print("\(Counted.of(report.copied.objects, "object")) (\(report.copied.bytes) bytes) read from \(store.location)")
        printReport(report.run, deleted: report.objectsDeleted, rewritten: report.objectsRewritten)
        if let object = report.logObject { print("  logged in s3://\(store.location.bucket)/\(object)") }
        if store.sayRefused(report.refusedKeys, command: "prune") { throw ExitCode(1) }
    }

    private func printReport(_ report: ArchivePruner.Report, deleted: [String], rewritten: [String]) {
        let plan = report.plan
        print("\(dryRun ? "dry run: would remove" : "removed") \(Counted.of(plan.records, "record")) older than \(olderThan.map { "\($0)" } ?? before ?? "")")
        for file in deleted { print("  \(dryRun ? "would delete" : "deleted")   \(file)") }
        for file in rewritten { print("  \(dryRun ? "would rewrite" : "rewrote")   \(file) (\(Counted.of(plan.revisitsMadeWhole, "revisit")) made full records)") }
        print("  \(Counted.of(plan.sessions.count, "session")) left with no record \(dryRun ? "would go" : "gone") from the index")
    }
}

extension PruneCommand {
    /// `--before`: an ISO 8601 date or time, or an age as the search filters take it (`7d`).
    static func instant(_ text: String) throws -> Date {
        guard let normalised = try? TimeExpression.parse(text), let date = WARCDate(parsing: normalised)?.date else {
            throw ValidationError("--before \(text) is not a date, a time or an age (2026-11-01, 2026-11-01T12:00:00Z, 90d)")
        }
        return date
    }
}

extension Duration {
    /// In seconds, with fractions.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
