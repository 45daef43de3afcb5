import Foundation
import WARC

extension ArchiveRemoval {
    /// What `apply` did.
    public struct Outcome: Sendable, Equatable {
        public var filesDeleted = 0
        public var filesRewritten = 0
        public var records = 0
        public var revisitsMadeWhole = 0
        /// Bytes of the files deleted or rewritten, before and after.
        public var bytesBefore: Int64 = 0
        public var bytesAfter: Int64 = 0

        public init() {}
    }

    /// Carries out `plan`: first the files whose revisits become whole (while every original
    /// is still on disk), then the other rewrites, then the deletions; `onStep` hears each step
    /// once done. Refused (nothing changed) while a running recorder wrote one of the files.
    public func apply(_ plan: RemovalPlan, onStep: (Step) throws -> Void = { _ in }) throws(RemovalError) -> Outcome {
        if let held = plan.heldByRunningRecorders.first { throw .heldByRecorder(path: held.file, recorder: held.recorder) }
        var outcome = Outcome()
        let originals = try originalRecords(plan)
        let makingWhole = Set(plan.filesRewritten.filter { path in plan.summaries[path]?.records.contains { $0.id.map { plan.wholeRevisits[$0] != nil } ?? false } ?? false })
        let rewrites = plan.filesRewritten.filter(makingWhole.contains) + plan.filesRewritten.filter { !makingWhole.contains($0) }
        for path in rewrites {
            let (before, after, removed, whole) = try rewrite(path, plan: plan, originals: originals, onStep: onStep)
            outcome.filesRewritten += 1
            outcome.records += removed
            outcome.revisitsMadeWhole += whole
            outcome.bytesBefore += before
            outcome.bytesAfter += after
        }
        for path in plan.filesDeleted where FileManager.default.fileExists(atPath: path) {
            // Under the file's rewrite lock: a compaction in progress would rename its new
            // version over the deleted path.
            let lock = try Self.rewriteLock(of: path)
            defer { lock.release() }
            WARCReplacementFile.removeLeftover(of: path, holding: lock)
            let size = ArchiveFiles.size(of: path)
            outcome.records += max(0, (plan.summaries[path]?.records.count ?? 1) - 1)
            guard unlink(path) == 0 else { throw .write(path: path, reason: "unlink: \(String(cString: strerror(errno)))") }
            outcome.filesDeleted += 1
            outcome.bytesBefore += size
            WARCReplacementFile.syncFolder(of: path)
            try stop(onStep, .deleted(path))
            removeFolderIfEmpty((path as NSString).deletingLastPathComponent)
        }
        return outcome
    }

    /// The lock that compaction and removal take before they change a file; busy when another
    /// process holds it.
    private static func rewriteLock(of path: String) throws(RemovalError) -> WARCRewriteLock {
        do {
            guard let taken = try WARCRewriteLock(path: path) else { throw RemovalError.busy(path: path) }
            return taken
        } catch let error as RemovalError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    /// The full responses that revisits staying behind refer to, read before anything changes.
    private func originalRecords(_ plan: RemovalPlan) throws(RemovalError) -> [String: WARCRecord] {
        let wanted = Set(plan.wholeRevisits.values)
        guard !wanted.isEmpty else { return [:] }
        var found: [String: WARCRecord] = [:]
        for (path, summary) in plan.summaries where summary.records.contains(where: { $0.id.map(wanted.contains) ?? false }) {
            for stored in try Self.records(of: path) {
                if let id = stored.record.recordID, wanted.contains(id) { found[id] = stored.record }
            }
        }
        return found
    }

    private func rewrite(
        _ path: String, plan: RemovalPlan, originals: [String: WARCRecord], onStep: (Step) throws -> Void
    ) throws(RemovalError) -> (before: Int64, after: Int64, removed: Int, whole: Int) {
        let lock = try Self.rewriteLock(of: path)
        defer { lock.release() }
        WARCReplacementFile.removeLeftover(of: path, holding: lock)
        let before = ArchiveFiles.size(of: path)
        let records = try Self.records(of: path).map(\.record)
        guard let info = records.first, info.type == .warcinfo else { throw .unreadable(path: path, reason: "it does not begin with a warcinfo record") }
        var kept: [WARCRecord] = []
        var removed = 0
        var whole = 0
        for record in records.dropFirst() {
            guard let id = record.recordID else {
                kept.append(record)
                continue
            }
            if plan.doomed.contains(id) {
                removed += 1
            } else if let originalID = plan.wholeRevisits[id], record.type == .revisit {
                guard let original = originals[originalID] else {
                    throw .mismatch(path: path, reason: "the original \(originalID) of revisit \(id) was not found; nothing was changed")
                }
                kept.append(Self.madeWhole(record, original: original))
                whole += 1
            } else {
                kept.append(record)
            }
        }
        let compacted = CompactionInfo(info) != nil
        let file: WARCReplacementFile
        do {
            file = try WARCReplacementFile(replacing: path, level: compacted ? 9 : level)
            try file.write(Self.renewed(info))
            if compacted {
                let compactor = ArchiveCompactor()
                let runs = compactor.sessionRuns(of: kept).map { (session: $0.session, records: $0.records.map(WARCBundle.packed)) }
                for group in compactor.bundleGroups(of: runs) { try file.write(compactor.bundle(group.records, session: group.session)) }
            } else {
                for record in kept { try file.write(record) }
            }
        } catch {
            throw .write(path: path, reason: error.description)
        }
        try check(file.temporaryPath, holds: kept, original: path, file: file)
        do { try file.sync() } catch { throw .write(path: path, reason: error.description) }
        try stop(onStep, .written(path), abandoning: file)
        do { try file.rename() } catch { throw .write(path: path, reason: error.description) }
        try stop(onStep, .rewritten(path))
        return (before, file.size, removed, whole)
    }

    /// The file's `warcinfo` under a new record id: the index sees a new file and reads it again.
    static func renewed(_ info: WARCRecord) -> WARCRecord {
        var record = info
        record.headers.remove(WARCField.recordID)
        record.headers.remove(WARCField.blockDigest)
        return record.completed()
    }

    /// A revisit as a full response: its own fields and head, the original's payload.
    static func madeWhole(_ revisit: WARCRecord, original: WARCRecord) -> WARCRecord {
        var record = revisit
        for name in [WARCField.refersTo, WARCField.refersToTargetURI, WARCField.refersToDate, WARCField.profile, WARCField.blockDigest, WARCField.truncated] {
            record.headers.remove(name)
        }
        record.headers.set(WARCField.type, WARCRecordType.response.rawValue)
        let payload = original.httpHeadLength.map { Array(original.block[$0...]) } ?? []
        record.block = revisit.block + payload
        return record.completed()
    }

    /// Reads the new version back: the ids of the records kept, in order.
    private func check(_ temporary: String, holds kept: [WARCRecord], original: String, file: WARCReplacementFile) throws(RemovalError) {
        let read: [WARCStoredRecord]
        do {
            read = try Self.records(of: temporary)
        } catch {
            file.abandon()
            throw .mismatch(path: original, reason: error.description)
        }
        let expected = kept.map(\.recordID)
        let found = read.dropFirst().map(\.record.recordID)
        guard expected == Array(found) else {
            file.abandon()
            throw .mismatch(path: original, reason: "\(expected.count) records written, \(found.count) read back")
        }
    }

    private func stop(_ onStep: (Step) throws -> Void, _ step: Step, abandoning file: WARCReplacementFile? = nil) throws(RemovalError) {
        do {
            try onStep(step)
        } catch {
            file?.abandon()
            throw .stopped(after: "\(step)")
        }
    }

    /// A wallet folder left empty goes too (its name is the wallet's address).
    private func removeFolderIfEmpty(_ folder: String) {
        guard folder != root, let entries = try? FileManager.default.contentsOfDirectory(atPath: folder), entries.isEmpty else { return }
        rmdir(folder)
    }
}
