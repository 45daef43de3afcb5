import Foundation
import Synchronization
import WARC

/// Rewrites closed archive files so that each session's records share bundles (`WARCBundle`):
/// repeated snapshots, heads and fields then compress against each other, which the one gzip
/// member per record of a live file cannot do.
///
/// Nothing is lost: every record comes back from the compacted file with the same fields,
/// block and digests (checked before the new file replaces the old one), and each file is
/// still a `.warc.gz` that warcio reads, one record per gzip member. The new file is written
/// beside the old one, synced and renamed over it (`WARCReplacementFile`), so an interrupted
/// compaction leaves one of them whole. A compacted file says so in its `warcinfo`
/// (`compacted: DATE`) and is never compacted twice. `.open` files are never touched.
public struct ArchiveCompactor: Sendable {
    /// The most bytes of records (as stored, uncompressed) in one bundle.
    public var bundleBytes: Int
    /// The gzip level of the compacted file's members (1 to 12).
    public var level: Int32

    public init(bundleBytes: Int = 1 << 20, level: Int32 = 8) {
        self.bundleBytes = bundleBytes
        self.level = level
    }

    /// Where a compaction is; `compact(_:onStage:)` reports each step once done.
    public enum Stage: String, Sendable, CaseIterable {
        /// The new version is written beside the file and checked, not yet synced.
        case written
        /// The new version is on disk, not yet in place.
        case synced
        /// The new version has replaced the file.
        case renamed
    }

    /// Compacts every closed archive file under `root` (or `root` itself) that is not compacted
    /// yet; a file that cannot be compacted is reported and left as it was.
    public func compactAll(
        under root: String, onStage: @Sendable (String, Stage) throws -> Void = { _, _ in }
    ) throws(ArchiveFilesError) -> [Result<CompactionReport, CompactionError>] {
        let paths = try ArchiveFiles.find(under: root, includeOpen: false)
        let results = Mutex([Result<CompactionReport, CompactionError>?](repeating: nil, count: paths.count))
        // Files are independent: as many at once as there are cores.
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let path = paths[index]
            let result = Result { () throws(CompactionError) in try compact(path, onStage: { try onStage(path, $0) }) }
            results.withLock { $0[index] = result }
        }
        return results.withLock { $0.map { $0! } }
    }

    /// Compacts one closed file, or reports that it already is.
    public func compact(_ path: String, onStage: (Stage) throws -> Void = { _ in }) throws(CompactionError) -> CompactionReport {
        guard !ArchiveFiles.isOpen(path) else { throw .openFile(path: path) }
        let lock: WARCRewriteLock
        do {
            guard let taken = try WARCRewriteLock(path: path) else { throw CompactionError.busy(path: path) }
            lock = taken
        } catch let error as CompactionError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        defer { lock.release() }
        WARCReplacementFile.removeLeftover(of: path, holding: lock)
        let started = ContinuousClock.now
        let bytesBefore = ArchiveFiles.size(of: path)
        if let info = try Self.firstRecord(of: path), CompactionInfo(info.record) != nil {
            return CompactionReport(path: path, alreadyCompacted: true, records: 0, bundles: 0, bytesBefore: bytesBefore, bytesAfter: bytesBefore, inflatedBytes: 0, seconds: 0)
        }
        let (records, inflated) = try Self.records(of: path)
        guard let info = records.first, info.type == .warcinfo else { throw .noWarcinfo(path: path) }
        let runs = sessionRuns(of: Array(records.dropFirst())).map { (session: $0.session, records: $0.records.map(WARCBundle.packed)) }
        let groups = bundleGroups(of: runs)
        let file: WARCReplacementFile
        do {
            file = try WARCReplacementFile(replacing: path, level: level)
            try file.write(CompactionInfo.marking(info, compactedAt: .now()))
            for group in groups { try file.write(bundle(group.records, session: group.session)) }
        } catch {
            throw .write(path: path, reason: error.description)
        }
        try Self.check(file.temporaryPath, holds: runs.flatMap(\.records), original: path)
        try run(onStage, .written, file)
        do { try file.sync() } catch { throw .write(path: path, reason: error.description) }
        try run(onStage, .synced, file)
        do { try file.rename() } catch { throw .write(path: path, reason: error.description) }
        try run(onStage, .renamed, nil)
        return CompactionReport(
            path: path, alreadyCompacted: false, records: records.count - 1, bundles: groups.count, bytesBefore: bytesBefore,
            bytesAfter: file.size, inflatedBytes: inflated, seconds: Self.seconds(since: started))
    }

    private func run(_ onStage: (Stage) throws -> Void, _ stage: Stage, _ file: WARCReplacementFile?) throws(CompactionError) {
        do {
            try onStage(stage)
        } catch {
            file?.abandon()
            throw .stopped(stage: stage, reason: "\(error)")
        }
    }

    // MARK: Bundles

    /// The records grouped by session: sessions in the order they first appear, each
    /// session's records in their order. This is the order of the compacted file.
    func sessionRuns(of records: [WARCRecord]) -> [(session: String, records: [WARCRecord])] {
        var order: [String] = []
        var bySession: [String: [WARCRecord]] = [:]
        for record in records {
            let session = record.headers[AomiField.sessionID] ?? ""
            if bySession[session] == nil { order.append(session) }
            bySession[session, default: []].append(record)
        }
        return order.map { ($0, bySession[$0]!) }
    }

    /// The session runs cut into the record groups of bundles: at most `bundleBytes` each (a
    /// larger record alone). Runs follow one another in a bundle, so the small sessions of a
    /// file share one deflate window (sessions look alike: the same snapshot shapes, fields and
    /// answers), and a session's records stay together, in one bundle or in consecutive ones.
    /// `session` is the group's one session, or nil when it holds several. Each bundle is made
    /// only when it is written, so a compaction holds the file's records once, not twice.
    func bundleGroups(of runs: [(session: String, records: [WARCRecord])]) -> [(session: String?, records: [WARCRecord])] {
        var groups: [(session: String?, records: [WARCRecord])] = []
        var pending: [WARCRecord] = []
        var pendingSessions: Set<String> = []
        var pendingBytes = 0
        func close() {
            guard !pending.isEmpty else { return }
            groups.append((pendingSessions.count == 1 ? pendingSessions.first : nil, pending))
            pending.removeAll()
            pendingSessions.removeAll()
            pendingBytes = 0
        }
        for (session, records) in runs {
            for record in records {
                let size = Self.storedSize(record)
                if pendingBytes + size > bundleBytes { close() }
                pending.append(record)
                pendingSessions.insert(session)
                pendingBytes += size
            }
        }
        close()
        return groups
    }

    /// About the bytes `record` takes in a bundle (without packing it, which digests it).
    private static func storedSize(_ record: WARCRecord) -> Int {
        record.block.count + record.headers.fields.reduce(32) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    /// A bundle of `records`; `session` names its one session (nil: several, each record
    /// still names its own).
    func bundle(_ records: [WARCRecord], session: String?) -> WARCRecord {
        var fields: [(String, String)] = []
        if let session, !session.isEmpty { fields.append((AomiField.sessionID, session)) }
        if let wallet = records.lazy.compactMap({ $0.headers[AomiField.wallet] }).first { fields.append((AomiField.wallet, wallet)) }
        let target = session.map { "urn:aomi-archive:session:" + ($0.isEmpty ? "none" : $0) } ?? "urn:aomi-archive:sessions"
        return WARCBundle.record(holdingPacked: records, targetURI: target, date: records[0].date ?? WARCDate.now().description, fields: fields)
    }

    // MARK: Reading and checking

    private static func firstRecord(of path: String) throws(CompactionError) -> WARCStoredRecord? {
        do {
            let reader = try WARCFileReader(path: path, options: WARCReaderOptions(windowBytes: 64 << 10, readsInsideBundles: false))
            if case let .record(first)? = reader.next() { return first }
            return nil
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
    }

    /// Every record of the file; damage anywhere stops the compaction (repair the file first).
    private static func records(of path: String) throws(CompactionError) -> ([WARCRecord], Int64) {
        let reader: WARCFileReader
        do {
            reader = try WARCFileReader(path: path)
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
        var records: [WARCRecord] = []
        for event in reader {
            switch event {
            case let .record(stored): records.append(stored.record)
            case let .damage(damage): throw .damaged(damage)
            }
        }
        return (records, reader.uncompressedBytes)
    }

    /// Reads the new version back and compares the records in its bundles, as stored, with the
    /// packed records it must hold, in order (its `warcinfo` aside). A `derived` digest was
    /// stored only where it equals the original's, so equal packed records are equal records.
    private static func check(_ temporary: String, holds records: [WARCRecord], original: String) throws(CompactionError) {
        let reader: WARCFileReader
        do {
            reader = try WARCFileReader(path: temporary, options: WARCReaderOptions(readsInsideBundles: false))
        } catch {
            throw .unreadable(path: temporary, reason: error.description)
        }
        var found: [Fingerprint] = []
        for event in reader.dropFirst() {
            guard case let .record(stored) = event, let inside = WARCBundle.packedRecords(in: stored.record) else {
                unlink(temporary)
                throw .mismatch(path: original, reason: "the new version holds something other than whole bundles")
            }
            found += inside.map(Fingerprint.init)
        }
        let expected = records.map(Fingerprint.init)
        guard expected == found else {
            unlink(temporary)
            let first = zip(expected, found).first { $0 != $1 }.map { "record \($0.0.id ?? "?")" } ?? "\(expected.count) records, \(found.count) read back"
            throw .mismatch(path: original, reason: first)
        }
    }

    /// What must be equal between a record and its compacted form.
    private struct Fingerprint: Equatable {
        var id: String?
        var fields: [WARCHeaders.Field]
        var block: [UInt8]

        init(_ record: WARCRecord) {
            id = record.recordID
            fields = record.headers.fields.filter { $0.name.lowercased() != WARCField.contentLength.lowercased() }
            block = record.block
        }
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
