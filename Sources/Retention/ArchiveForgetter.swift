import AomiArchive
import ArchiveIndex
import Crypto
import Foundation
import Recorder
import WARC

/// `aomi-archive forget`: removes every record of a wallet or a session from the archive root
/// (`ArchiveRemoval`) and every row of it from the index (`ArchiveDatabase.remove`), then
/// writes one line to `.forgotten.log`. A forget in progress leaves a marker
/// (`.forgetting/<keyed hash>`, no id in clear) until its log line is written, so a forget that
/// was interrupted and is run again finishes, even when nothing of it is left to find.
public struct ArchiveForgetter: Sendable {
    public let root: String
    /// The index to forget in; nil when there is none to act on.
    public let database: ArchiveDatabase?
    /// Whether the root's rewritten files are read into the index again afterwards (not for
    /// the temporary copy of a store, whose paths no index should keep).
    public var reindexesRoot = true

    public init(root: String, database: ArchiveDatabase?) {
        self.root = root
        self.database = database
    }

    /// Where a forget is, for the tests that stop it there (each step reported once done).
    public enum Step: Sendable, Equatable {
        case file(ArchiveRemoval.Step)
        /// The index rows are removed.
        case index
        /// The log line is written.
        case logged
    }

    /// What a forget found and did (`dryRun`: would do).
    public struct Report: Sendable {
        public var target: RemovalTarget
        public var plan: RemovalPlan
        public var outcome = ArchiveRemoval.Outcome()
        public var index = IndexRemovalCounts()
        /// Sessions of the wallet the index knows (for a wallet), besides those in the files.
        public var indexSessions: Set<String> = []
        /// A forget of the same target had been interrupted: this one finished it.
        public var resumed = false
        public var dryRun = false
        /// The keyed hash the log line holds.
        public var idHash: String?
        /// The fields of the log line written, once written.
        public var logFields: [(String, String)] = []
    }

    /// Forgets `target` (with `dryRun`, only says what would go).
    public func forget(_ target: RemovalTarget, dryRun: Bool = false, onStep: (Step) throws -> Void = { _ in }) throws(RetentionError) -> Report {
        var report = try prepare(target, dryRun: dryRun)
        if dryRun { return report }
        try carryOut(&report, onStep: onStep)
        return report
    }

    /// Plans the forget and checks that it may go ahead, changing nothing (the root's key
    /// aside, created unless `dryRun`). `interrupted`: a forget of it was interrupted
    /// somewhere this root does not show (a store's own marker).
    public func prepare(_ target: RemovalTarget, dryRun: Bool = false, interrupted: Bool = false) throws(RetentionError) -> Report {
        let removal = ArchiveRemoval(root: root)
        let plan: RemovalPlan
        do { plan = try removal.plan(forgetting: target) } catch { throw .removal(error) }
        var report = Report(target: target, plan: plan, dryRun: dryRun)
        var indexKnows = false
        if let database {
            switch target {
            case let .wallet(wallet):
                report.indexSessions = Set(try indexed { () throws(IndexError) in try database.sessions(ofWallet: wallet.value) })
                indexKnows = try indexed { () throws(IndexError) in try database.knows(wallet: wallet.value) } || !report.indexSessions.isEmpty
            case let .session(id):
                indexKnows = try indexed { () throws(IndexError) in try database.knows(session: id) }
            }
        }
        if let key = Self.existingKey(root: root) {
            let log = ForgottenLog(root: root, key: key)
            report.resumed = FileManager.default.fileExists(atPath: self.marker(for: target, log: log))
            if !dryRun { report.idHash = log.hash(kind: target.kind, id: target.id) }
        }
        report.resumed = report.resumed || interrupted
        guard !plan.isEmpty || indexKnows || report.resumed else { throw .unknown(target, root: root) }
        guard plan.heldByRunningRecorders.isEmpty else { throw .heldByRecorders(plan.heldByRunningRecorders) }
        if !dryRun, report.idHash == nil {
            do { report.idHash = ForgottenLog(root: root, key: try RedactionKey.loadOrCreate(root: root).key).hash(kind: target.kind, id: target.id) } catch {
                throw .log(path: root, reason: "\(error)")
            }
        }
        return report
    }

    /// Carries out a forget that `prepare` planned: the marker, the files, the index, the
    /// log line (also kept in `report.logFields`).
    public func carryOut(_ report: inout Report, onStep: (Step) throws -> Void = { _ in }) throws(RetentionError) {
        let target = report.target
        let plan = report.plan
        let log: ForgottenLog
        do { log = ForgottenLog(root: root, key: try RedactionKey.loadOrCreate(root: root).key) } catch { throw .log(path: root, reason: "\(error)") }
        let markerPath = self.marker(for: target, log: log)
        try Self.writeMarker(markerPath)
        do {
            report.outcome = try ArchiveRemoval(root: root).apply(plan, onStep: { step in try onStep(.file(step)) })
        } catch {
            throw .removal(error)
        }
        var sessions = plan.sessions.union(report.indexSessions)
        if case let .session(id) = target { sessions.insert(id) }
        var wallet: String?
        if case let .wallet(address) = target { wallet = address.value }
        if let database {
            do {
                report.index = try database.remove(sessions: sessions, wallet: wallet, files: plan.filesDeleted + plan.filesRewritten)
            } catch {
                throw .index(error)
            }
        }
        try step(onStep, .index)
        if let database, reindexesRoot {
            do {
                // The rewritten files are read again, at their new offsets.
                _ = try ArchiveIndexer(database: database, root: root).run()
            } catch {
                throw .index(error)
            }
        }
        report.logFields = [
            ("time", WARCDate.now().description), ("forget", target.kind), ("id_hash", report.idHash ?? ""), ("sessions", String(sessions.count)),
            ("records", String(report.outcome.records)), ("files_deleted", String(report.outcome.filesDeleted)),
            ("files_rewritten", String(report.outcome.filesRewritten)), ("revisits_made_whole", String(report.outcome.revisitsMadeWhole)),
            ("index_messages", String(report.index.messages)), ("index_records", String(report.index.records)),
            ("resumed", report.resumed ? "yes" : "no"),
        ]
        try log.append(report.logFields)
        try step(onStep, .logged)
        unlink(markerPath)
    }

    private func indexed<Result>(_ body: () throws(IndexError) -> Result) throws(RetentionError) -> Result {
        do { return try body() } catch { throw .index(error) }
    }

    private func step(_ onStep: (Step) throws -> Void, _ step: Step) throws(RetentionError) {
        do { try onStep(step) } catch { throw .removal(.stopped(after: "\(step)")) }
    }

    /// The folder of the markers of forgets in progress.
    static let markers = ".forgetting"

    private func marker(for target: RemovalTarget, log: ForgottenLog) -> String {
        ((root as NSString).appendingPathComponent(Self.markers) as NSString).appendingPathComponent(log.hash(kind: target.kind, id: target.id))
    }

    private static func writeMarker(_ path: String) throws(RetentionError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .log(path: folder, reason: "\(error)")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .log(path: path, reason: String(cString: strerror(errno))) }
        fsync(descriptor)
        close(descriptor)
    }

    /// The root's redaction key, when it has one (a forget of something unknown creates none).
    static func existingKey(root: String) -> SymmetricKey? {
        let path = (root as NSString).appendingPathComponent(RedactionKey.fileName)
        guard FileManager.default.fileExists(atPath: path), let key = try? RedactionKey.loadOrCreate(root: root) else { return nil }
        return key.key
    }
}
