import AomiAPI
import AomiArchive
import ArchiveIndex
import ArgumentParser
import Foundation
import ObjectStore
import Retention

/// `aomi-archive forget`: erases one wallet or one session from the archives and the index.
struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Erase every record of a wallet or a session: its files, its rows in the index, and any exchange that names it.",
        discussion: """
            Files that hold nothing else are deleted; a file shared with others is rewritten without \
            it, beside itself, and renamed over the old one (crash-safe, as compact is). A revisit \
            elsewhere whose original goes is first rewritten as a full record. The index loses the \
            sessions' messages, titles, events and records on either store. Refused, with nothing \
            changed, while a running recorder wrote one of those files; an interrupted forget, run \
            again, finishes. One line goes to ROOT/.forgotten.log, with a keyed hash of the id, never \
            the id. The exit status is 1 when nothing of it is known (nothing is changed then). \
            With --archives s3://BUCKET/PREFIX the store's objects are copied into a temporary \
            folder, forgotten there, and put back: rewritten objects first (only if no one else \
            rewrote them meanwhile), then the deletions; the log line is an object under \
            PREFIX/.forgotten/, and the index is the one --db or AOMI_ARCHIVE_DB names, if any.
            """)

    @Option(help: "The wallet to forget (0x and 40 hex digits): its folder, its sessions wherever they were recorded.")
    var wallet: String?

    @Option(help: "The session (thread) to forget.")
    var session: String?

    @OptionGroup var location: IndexLocation

    @Flag(help: "List what would go, and change nothing.")
    var dryRun = false

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @Option(help: .private)
    var crashAfter: String?

    func validate() throws {
        guard (wallet == nil) != (session == nil) else { throw ValidationError("give exactly one of --wallet or --session") }
        if let wallet, WalletAddress(wallet) == nil { throw ValidationError("--wallet \(wallet) is not a wallet address (0x and 40 hex digits)") }
        if let session, session.isEmpty || session.utf8.count > 256 { throw ValidationError("--session must be 1 to 256 bytes") }
        try location.validateArchives()
    }

    func run() async throws {
        let target: RemovalTarget = wallet.flatMap(WalletAddress.init).map(RemovalTarget.wallet) ?? .session(session ?? "")
        if let store = try await StoreOption.named(location.archives, command: "forget") {
            return try await forget(target, in: store)
        }
        if !dryRun { try location.requireWritableRoot(for: "forget") }
        let forgetter = ArchiveForgetter(root: location.archives, database: try ArchiveDatabase(location: location.database))
        let report: ArchiveForgetter.Report
        do {
            report = try forgetter.forget(target, dryRun: dryRun) { step in
                if let crashAfter, "\(step)".contains(crashAfter) { kill(getpid(), SIGKILL) }
            }
        } catch {
            printError("forget: \(error)")
            throw ExitCode(1)
        }
        if json {
            JSONLinesWriter().write(ForgetSummary(report))
            return
        }
        printReport(report, deleted: report.plan.filesDeleted, rewritten: report.plan.filesRewritten)
        if let hash = report.idHash { print("  logged in \(location.archives)/\(ForgottenLog.fileName) as \(target.kind) \(hash)") }
    }

    /// `--archives s3://…`: the same forget on a copy of the store's objects, put back.
    private func forget(_ target: RemovalTarget, in store: StoreOption) async throws {
        let database = try location.storeDatabase.map { try ArchiveDatabase(location: $0) }
        let retention = StoreRetention(client: store.client, location: store.location, database: database)
        let report: StoreRetention.Report<ArchiveForgetter.Report>
        do {
            report = try await retention.forget(target, dryRun: dryRun) { step in
                if let crashAfter, "\(step)".contains(crashAfter) { kill(getpid(), SIGKILL) }
            }
        } catch {
            printError("forget: \(error)")
            throw ExitCode(1)
        }
        if !dryRun { await store.pruneCache(command: "forget") }
        let refused = store.sayRefused(report.refusedKeys, command: "forget")
        if json {
            var summary = ForgetSummary(report.run)
            summary.filesDeleted = report.objectsDeleted
            summary.filesRewritten = report.objectsRewritten
            JSONLinesWriter().write(summary)
        } else {
            print("\(Counted.of(report.copied.objects, "object")) (\(report.copied.bytes) bytes) read from \(store.location)")
            printReport(report.run, deleted: report.objectsDeleted, rewritten: report.objectsRewritten)
            if database == nil { print("  no index named (--db, AOMI_ARCHIVE_DB): none was changed") }
            if let object = report.logObject, let hash = report.run.idHash { print("  logged in s3://\(store.location.bucket)/\(object) as \(target.kind) \(hash)") }
        }
        if refused { throw ExitCode(1) }
    }

    private func printReport(_ report: ArchiveForgetter.Report, deleted: [String], rewritten: [String]) {
        let plan = report.plan
        let target = report.target
        let verb = dryRun ? "would remove" : "removed"
        print("\(dryRun ? "dry run: " : "")\(target): \(verb) \(Counted.of(dryRun ? plan.records : report.outcome.records, "record"))")
        for file in deleted { print("  \(dryRun ? "would delete" : "deleted")   \(file)") }
        for file in rewritten { print("  \(dryRun ? "would rewrite" : "rewrote")   \(file)") }
        if plan.revisitsMadeWhole > 0 { print("  \(Counted.of(plan.revisitsMadeWhole, "revisit")) of other exchanges \(dryRun ? "would be" : "were") made full records first") }
        let sessions = plan.sessions.union(report.indexSessions)
        print(
            "  \(Counted.of(sessions.count, "session")) \(dryRun ? "would go" : "gone") from the index\(dryRun ? "" : " (\(Counted.of(report.index.messages, "message")), \(Counted.of(report.index.records, "record")))")"
        )
        if report.resumed { print("  an interrupted forget of it was finished") }
    }
}

/// `forget --json`.
struct ForgetSummary: Encodable {
    var kind: String
    var dryRun: Bool
    var records: Int
    var filesDeleted: [String]
    var filesRewritten: [String]
    var revisitsMadeWhole: Int
    var sessions: Int
    var indexMessages: Int
    var indexRecords: Int
    var resumed: Bool
    var idHash: String?

    init(_ report: ArchiveForgetter.Report) {
        kind = report.target.kind
        dryRun = report.dryRun
        records = report.dryRun ? report.plan.records : report.outcome.records
        filesDeleted = report.plan.filesDeleted
        filesRewritten = report.plan.filesRewritten
        revisitsMadeWhole = report.plan.revisitsMadeWhole
        sessions = report.plan.sessions.union(report.indexSessions).count
        indexMessages = report.index.messages
        indexRecords = report.index.records
        resumed = report.resumed
        idHash = report.idHash
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
