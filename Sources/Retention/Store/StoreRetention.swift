import AomiArchive
import ArchiveIndex
import Foundation
import ObjectStore

/// `forget` and `prune` on archives kept in an object store (`--archives s3://BUCKET/PREFIX`).
/// The closed archive objects are copied into a temporary folder (`StoreMirror`), the same
/// forget or prune as on a root runs on the copy, and what it changed is put back: rewritten
/// files replace their objects (only if no one rewrote those meanwhile), then the objects of
/// deleted files are deleted. A forget leaves its marker in the store from before anything
/// changes until its log object is written, so one that was killed, run again, finishes.
///
/// The index (when given) loses the sessions and the wallet as on a root; it is not read
/// again from the copy, whose paths are temporary.
public struct StoreRetention: Sendable {
    public let client: ObjectStoreClient
    public let location: StoreLocation
    public let database: ArchiveDatabase?
    /// Where the temporary copy is made.
    public var workParent = NSTemporaryDirectory()

    public init(client: ObjectStoreClient, location: StoreLocation, database: ArchiveDatabase?) {
        self.client = client
        self.location = location
        self.database = database
    }

    /// A forget or prune of a store: the report of the run on the copy, with the objects.
    public struct Report<Run: Sendable>: Sendable {
        public var run: Run
        /// Objects copied, and their bytes.
        public var copied: (objects: Int, bytes: Int64)
        /// What was put back (nothing on a dry run).
        public var published = MirrorChanges()
        /// Object keys of the files the plan deletes and rewrites.
        public var objectsDeleted: [String] = []
        public var objectsRewritten: [String] = []
        /// The log object written.
        public var logObject: String?
        /// Archive objects whose keys no local path can stand for: not read, so not acted on.
        public var refusedKeys: [String] = []
    }

    /// Where a store forget is, for the tests that stop it there.
    public enum Step: Sendable, Equatable, CustomStringConvertible {
        case marked
        case local(ArchiveForgetter.Step)
        case published(MirrorChanges.Step)
        case logged

        public var description: String {
            switch self {
            case .marked: "marked"
            case let .local(step): "\(step)"
            case let .published(step): "published \(step)"
            case .logged: "logged"
            }
        }
    }

    /// Forgets `target` in the store (and the index).
    public func forget(
        _ target: RemovalTarget, dryRun: Bool = false, onStep: (Step) throws -> Void = { _ in }
    ) async throws(RetentionError)
        -> Report<ArchiveForgetter.Report>
    {
        let journal = StoreJournal(client: client, location: location)
        return try await withMirror { (mirror) async throws(RetentionError) in
            let key = try await stored { () async throws(StoreError) in try await journal.key(create: !dryRun) }
            if let key { try StoreJournal.install(key: key, in: mirror.folder) }
            var forgetter = ArchiveForgetter(root: mirror.folder, database: database)
            forgetter.reindexesRoot = false
            let hash = key.map { ForgottenLog(root: mirror.folder, key: .init(data: $0)).hash(kind: target.kind, id: target.id) }
            var interrupted = false
            if let hash { interrupted = try await stored { () async throws(StoreError) in try await journal.hasMarker(hash) } }
            var run: ArchiveForgetter.Report
            do throws(RetentionError) { run = try forgetter.prepare(target, dryRun: dryRun, interrupted: interrupted) } catch {
                if case .unknown = error { throw RetentionError.unknown(target, root: location.description) }
                throw error
            }
            var report = Report(run: run, copied: mirror.copied, refusedKeys: mirror.refusedKeys)
            report.objectsDeleted = objectKeys(run.plan.filesDeleted, in: mirror)
            report.objectsRewritten = objectKeys(run.plan.filesRewritten, in: mirror)
            guard !dryRun, let hash else { return report }
            try await stored { () async throws(StoreError) in try await journal.writeMarker(hash) }
            try Self.step(onStep, .marked)
            try forgetter.carryOut(&run, onStep: { try onStep(.local($0)) })
            report.run = run
            report.published = try await publish(mirror, onStep: onStep)
            report.logObject = try await stored { () async throws(StoreError) in try await journal.append(run.logFields, kind: "forget") }
            try Self.step(onStep, .logged)
            try await stored { () async throws(StoreError) in try await journal.removeMarker(hash) }
            return report
        }
    }

    /// Prunes what is older than `cutoff` from the store (and the index).
    public func prune(olderThan cutoff: Date, dryRun: Bool = false) async throws(RetentionError) -> Report<ArchivePruner.Report> {
        let journal = StoreJournal(client: client, location: location)
        return try await withMirror { (mirror) async throws(RetentionError) in
            var pruner = ArchivePruner(root: mirror.folder, database: database)
            pruner.reindexesRoot = false
            let run = try pruner.prune(olderThan: cutoff, dryRun: dryRun)
            var report = Report(run: run, copied: mirror.copied, refusedKeys: mirror.refusedKeys)
            report.objectsDeleted = objectKeys(run.plan.filesDeleted, in: mirror)
            report.objectsRewritten = objectKeys(run.plan.filesRewritten, in: mirror)
            guard !dryRun, !run.plan.isEmpty else { return report }
            report.published = try await publish(mirror, onStep: { _ in })
            report.logObject = try await stored { () async throws(StoreError) in try await journal.append(run.logFields, kind: "prune") }
            return report
        }
    }

    private func withMirror<Result>(_ body: (StoreMirror) async throws(RetentionError) -> Result) async throws(RetentionError) -> Result {
        let folder = try storedNow { () throws(StoreError) in try MirrorFolder(parent: workParent) }
        defer { folder.remove() }
        let mirror = try await stored { () async throws(StoreError) in
            try await StoreMirror.make(client: client, location: location, folder: folder.path, includes: { ArchiveFiles.isClosedArchive(relative: $0) })
        }
        return try await body(mirror)
    }

    private func publish(_ mirror: StoreMirror, onStep: (Step) throws -> Void) async throws(RetentionError) -> MirrorChanges {
        try await stored { () async throws(StoreError) in try await mirror.publish(onStep: { try onStep(.published($0)) }) }
    }

    private func objectKeys(_ paths: [String], in mirror: StoreMirror) -> [String] {
        paths.map { location.key(for: ArchiveFiles.relativePath(of: $0, under: mirror.folder)) }
    }

    private func stored<Result>(_ body: () async throws(StoreError) -> Result) async throws(RetentionError) -> Result {
        do { return try await body() } catch { throw .store(error) }
    }

    private func storedNow<Result>(_ body: () throws(StoreError) -> Result) throws(RetentionError) -> Result {
        do { return try body() } catch { throw .store(error) }
    }

    private static func step(_ onStep: (Step) throws -> Void, _ step: Step) throws(RetentionError) {
        do { try onStep(step) } catch { throw .removal(.stopped(after: "\(step)")) }
    }
}
