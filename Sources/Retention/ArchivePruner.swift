import AomiArchive
import ArchiveIndex
import Foundation
import Recorder
import WARC

/// `aomi-archive prune` and `record --retain`: removes the conversations (and records without
/// a session) older than a date from closed files, with the same care as `forget` (revisits elsewhere made whole first,
/// the index's rows of those files and of sessions left with no record removed). `.open`
/// files and the files of running recorders are never touched.
public struct ArchivePruner: Sendable {
    public let root: String
    public let database: ArchiveDatabase?
    /// Whether the root's rewritten files are read into the index again afterwards (not for
    /// the temporary copy of a store).
    public var reindexesRoot = true

    public init(root: String, database: ArchiveDatabase?) {
        self.root = root
        self.database = database
    }

    /// What a prune found and did (`dryRun`: would do).
    public struct Report: Sendable {
        public var plan: RemovalPlan
        public var outcome = ArchiveRemoval.Outcome()
        public var index = IndexRemovalCounts()
        public var dryRun = false
        /// The fields of the log line written, once written.
        public var logFields: [(String, String)] = []

        public init(plan: RemovalPlan, dryRun: Bool = false) {
            self.plan = plan
            self.dryRun = dryRun
        }
    }

    /// Removes what is older than `cutoff`; `ownRecorder` and `among` as in
    /// `ArchiveRemoval.plan(olderThan:ownRecorder:among:)`.
    public func prune(olderThan cutoff: Date, ownRecorder: String? = nil, among candidates: Set<String>? = nil, dryRun: Bool = false) throws(RetentionError) -> Report {
        let removal = ArchiveRemoval(root: root)
        let plan: RemovalPlan
        do { plan = try removal.plan(olderThan: cutoff, ownRecorder: ownRecorder, among: candidates) } catch { throw .removal(error) }
        var report = Report(plan: plan, dryRun: dryRun)
        guard !dryRun, !plan.isEmpty else { return report }
        do { report.outcome = try removal.apply(plan) } catch { throw .removal(error) }
        if let database {
            do {
                report.index = try database.remove(sessions: plan.sessions, wallet: nil, files: plan.filesDeleted + plan.filesRewritten)
                if reindexesRoot { _ = try ArchiveIndexer(database: database, root: root).run() }
            } catch {
                throw .index(error)
            }
        }
        let key: RedactionKey
        do { key = try RedactionKey.loadOrCreate(root: root) } catch { throw .log(path: root, reason: "\(error)") }
        report.logFields = [
            ("time", WARCDate.now().description), ("prune", "older-than"), ("cutoff", WARCDate(cutoff).description), ("sessions", String(plan.sessions.count)),
            ("records", String(report.outcome.records)), ("files_deleted", String(report.outcome.filesDeleted)),
            ("files_rewritten", String(report.outcome.filesRewritten)), ("revisits_made_whole", String(report.outcome.revisitsMadeWhole)),
        ]
        try ForgottenLog(root: root, key: key.key).append(report.logFields)
        return report
    }
}
