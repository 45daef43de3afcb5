import AomiAPI
import Foundation
import WARC

/// Removes records from an archive root for good: every record of a wallet or a session
/// (`forget`), or every closed file older than a date (`prune`). A removal is planned first by
/// reading every file and changing nothing (`plan`), then applied (`apply`).
///
/// Whole exchanges go together (a request, its answer, a stream's segments). A file left with
/// nothing but its `warcinfo` is deleted; any other file that loses records is rewritten beside
/// itself and renamed over the old one (`WARCReplacementFile`, under its `WARCRewriteLock`, as
/// compaction does), so an interrupted removal leaves each file whole, old or new, and running
/// it again finishes it. A `revisit` that stays while its original goes becomes a full response
/// first (its head, the original's payload), so no record left loses its payload. When a
/// wallet or session is forgotten, any exchange whose bytes name it goes too (the thread list
/// names its sessions), so that no file under the root still holds its ids.
public struct ArchiveRemoval: Sendable {
    public let root: String
    /// The gzip level of rewritten live files (compacted ones are rewritten compacted, at 9).
    public var level: Int32 = 6

    public init(root: String) {
        self.root = root
    }

    /// One step of `apply`, reported once done (for the tests that stop a removal there).
    public enum Step: Sendable, Equatable {
        /// A file's new version is written and checked beside it, not yet in place.
        case written(String)
        /// A file was renamed over by its new version.
        case rewritten(String)
        case deleted(String)
    }

    // MARK: Planning

    /// What forgetting `target` removes.
    public func plan(forgetting target: RemovalTarget) throws(RemovalError) -> RemovalPlan {
        let paths = try files()
        var needles: [[UInt8]] = [Array(target.id.utf8)]
        var summaries = try paths.map { path throws(RemovalError) in try summary(of: path, needles: needles) }
        var sessions: Set<String> = []
        let walletFolder: String? =
            if case let .wallet(wallet) = target { (root as NSString).appendingPathComponent(wallet.value) } else { nil }
        switch target {
        case let .session(id):
            sessions = [id]
        case let .wallet(wallet):
            for file in summaries {
                let inFolder = walletFolder.map { (file.path as NSString).deletingLastPathComponent == $0 } ?? false
                for record in file.records where inFolder || record.wallet == wallet.value {
                    if let session = record.session { sessions.insert(session) }
                }
            }
            // The sessions' ids are looked for in every block too.
            let extra = sessions.sorted().map { Array($0.utf8) }
            if !extra.isEmpty {
                needles += extra
                summaries = try paths.map { path throws(RemovalError) in try summary(of: path, needles: needles) }
            }
        }
        return plan(summaries) { file, record in
            if let walletFolder, (file.path as NSString).deletingLastPathComponent == walletFolder { return true }
            if case let .wallet(wallet) = target, record.wallet == wallet.value { return true }
            if let session = record.session, sessions.contains(session) { return true }
            return record.mentionsTarget
        } gone: {
            sessions.contains($0)
        }
    }

    /// What pruning removes: every conversation (session) whose newest record is older than
    /// `cutoff`, whole, and every record without a session older than it, from closed files;
    /// a file left with nothing goes, a file that keeps something is rewritten without them.
    /// Whole sessions, not whole files: a file cut off at a date would leave the second half of
    /// a conversation that crossed into the next file, which no replay or `verify` makes sense
    /// of; and keeping every file that shares a session with a newer one would keep a busy
    /// folder for ever (its files are chained by the conversations that cross them).
    ///
    /// Files that cannot change (`.open` files, files of running recorders other than
    /// `ownRecorder`, whose memory of payloads has let go of what goes) are left alone, and so
    /// is every session with a record in one, and every original one of their revisits refers
    /// to. `among` limits the records that may go (a second plan, after the recorder let go of
    /// the first one's, removes no more than it).
    public func plan(olderThan cutoff: Date, ownRecorder: String? = nil, among candidates: Set<String>? = nil) throws(RemovalError) -> RemovalPlan {
        var summaries: [FileSummary] = []
        var referredFromFixedFiles: Set<String> = []
        var sessionsInFixedFiles: Set<String> = []
        var sessionNewest: [String: Date] = [:]
        for listed in try files() {
            // A file closed or removed since the listing is read under its new name, or skipped.
            guard let (path, file) = try summaryIfStillThere(listed) else { continue }
            for record in file.records.dropFirst() {
                if let session = record.session, let date = record.date { sessionNewest[session] = max(sessionNewest[session] ?? date, date) }
            }
            if ArchiveFiles.isOpen(path) || (file.writerID != ownRecorder && isRunning(file.writerID)) {
                referredFromFixedFiles.formUnion(file.records.compactMap { $0.type == .revisit ? $0.refersTo : nil })
                sessionsInFixedFiles.formUnion(file.records.compactMap(\.session))
            } else {
                summaries.append(file)
            }
        }
        for file in summaries {
            for record in file.records where record.id.map(referredFromFixedFiles.contains) ?? false {
                if let session = record.session { sessionsInFixedFiles.insert(session) }
            }
        }
        let isOld = { (record: RecordSummary) -> Bool in
            if let candidates, !(record.id.map(candidates.contains) ?? false) { return false }
            if referredFromFixedFiles.contains(record.id ?? "") || referredFromFixedFiles.contains(record.concurrentTo ?? "") { return false }
            guard let session = record.session else { return record.date.map { $0 < cutoff } ?? false }
            return !sessionsInFixedFiles.contains(session) && (sessionNewest[session].map { $0 < cutoff } ?? false)
        }
        var plan = plan(summaries, ownRecorder: ownRecorder, dooming: { _, record in isOld(record) }, gone: { _ in false }, keeping: referredFromFixedFiles)
        // A session goes from the index when none of its records is left anywhere.
        var left = sessionsInFixedFiles
        var touched: Set<String> = []
        for file in summaries {
            for record in file.records {
                guard let session = record.session else { continue }
                if let id = record.id, plan.doomed.contains(id) { touched.insert(session) } else { left.insert(session) }
            }
        }
        plan.sessions = touched.subtracting(left)
        return plan
    }

    /// The plan for the records `dooms` picks (with the rest of their exchanges), but never an
    /// exchange with a record in `keeping` (an original that a revisit in a file that cannot
    /// change refers to: its request may be old, the exchange stays whole for its revisit).
    private func plan(
        _ summaries: [FileSummary], ownRecorder: String? = nil, dooming dooms: (FileSummary, RecordSummary) -> Bool, gone: (String) -> Bool,
        keeping: Set<String> = []
    ) -> RemovalPlan {
        var plan = RemovalPlan()
        let exchanges = ExchangeGroups(summaries)
        var doomed: Set<String> = []
        for file in summaries {
            for record in file.records.dropFirst() where dooms(file, record) {
                let members = exchanges.members(of: record)
                if keeping.isEmpty || keeping.isDisjoint(with: members) { doomed.formUnion(members) }
            }
        }
        // A revisit that stays, whose original goes: made whole, unless the original's payload
        // names what is removed (then the revisit's does too, and its exchange goes).
        var mentioning: Set<String> = []
        for file in summaries { for record in file.records where record.mentionsTarget { if let id = record.id { mentioning.insert(id) } } }
        var whole: [String: String] = [:]
        for file in summaries {
            for record in file.records where record.type == .revisit {
                guard let id = record.id, !doomed.contains(id), let original = record.refersTo, doomed.contains(original) else { continue }
                if mentioning.contains(original) { doomed.formUnion(exchanges.members(of: record)) } else { whole[id] = original }
            }
        }
        plan.doomed = doomed
        plan.wholeRevisits = whole
        for file in summaries {
            let body = file.records.dropFirst()
            let going = body.filter { $0.id.map(doomed.contains) ?? false }.count
            let madeWhole = body.filter { $0.id.map { whole[$0] != nil } ?? false }.count
            guard going > 0 || madeWhole > 0 else { continue }
            plan.records += going
            plan.revisitsMadeWhole += madeWhole
            plan.summaries[file.path] = file
            if going == body.count { plan.filesDeleted.append(file.path) } else { plan.filesRewritten.append(file.path) }
            if let writer = file.writerID, writer != ownRecorder, isRunning(writer) { plan.heldByRunningRecorders.append((file.path, writer)) }
            for record in body where record.id.map(doomed.contains) ?? false {
                if let session = record.session, gone(session) { plan.sessions.insert(session) }
            }
        }
        return plan
    }

    // MARK: Reading

    private func files() throws(RemovalError) -> [String] {
        do {
            return try ArchiveFiles.find(under: root).filter { !$0.hasSuffix(WARCReplacementFile.suffix) }
        } catch {
            throw .unreadable(path: root, reason: error.description)
        }
    }

    /// Whether the recorder `writerID` is running now (it holds its lock).
    func isRunning(_ writerID: String?) -> Bool {
        guard let writerID else { return false }
        return RecorderLock.isHeld(id: writerID, root: root)
    }

    /// The summary of a listed file, or of the closed file an `.open` one became meanwhile; nil
    /// when it is gone (removed by another process since the listing).
    private func summaryIfStillThere(_ listed: String) throws(RemovalError) -> (String, FileSummary)? {
        var path = listed
        if !FileManager.default.fileExists(atPath: path), ArchiveFiles.isOpen(path) { path = String(path.dropLast(WARCWriterConfiguration.openSuffix.count)) }
        do {
            return (path, try summary(of: path, needles: []))
        } catch {
            if !FileManager.default.fileExists(atPath: path) { return nil }
            throw error
        }
    }

    private func summary(of path: String, needles: [[UInt8]]) throws(RemovalError) -> FileSummary {
        var records: [RecordSummary] = []
        var compacted = false
        for stored in try Self.records(of: path) {
            let record = stored.record
            if records.isEmpty, record.type == .warcinfo { compacted = CompactionInfo(record) != nil }
            records.append(
                RecordSummary(
                    id: record.recordID, type: record.type, session: record.headers[AomiField.sessionID], wallet: record.headers[AomiField.wallet],
                    concurrentTo: record.headers[WARCField.concurrentTo], segmentOrigin: record.headers[WARCField.segmentOriginID],
                    refersTo: record.headers[WARCField.refersTo], date: record.date.flatMap { WARCDate(parsing: $0)?.date },
                    mentionsTarget: record.type != .warcinfo && needles.contains { Self.contains(record.block, $0) || Self.contains(record.headers, $0) }))
        }
        return FileSummary(path: path, records: records, compacted: compacted, writerID: RecorderLock.writerID(inFileName: path))
    }

    /// Every record of a file, those inside bundles included; damage stops the removal (the
    /// file is repaired first: `inspect --repair`).
    static func records(of path: String) throws(RemovalError) -> [WARCStoredRecord] {
        let read: (records: [WARCStoredRecord], damage: [WARCDamage])
        do {
            read = try WARCFileReader.readAll(path: path)
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
        if let damage = read.damage.first, !ArchiveFiles.isOpen(path) { throw .damaged(damage) }
        return read.records
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                let first = pin[0]
                var index = 0
                let last = hay.count - pin.count
                while index <= last {
                    guard let start = hay[index...last].firstIndex(of: first) else { return false }
                    if memcmp(hay.baseAddress! + start, pin.baseAddress!, pin.count) == 0 { return true }
                    index = start + 1
                }
                return false
            }
        }
    }

    private static func contains(_ headers: WARCHeaders, _ needle: [UInt8]) -> Bool {
        headers.fields.contains { contains(Array($0.value.utf8), needle) }
    }
}

/// The records of each exchange, found through their links: a response names its request
/// (`WARC-Concurrent-To`), a segment its stream's first segment (`WARC-Segment-Origin-ID`).
struct ExchangeGroups {
    private var parent: [String: String] = [:]
    private var groups: [String: [String]] = [:]

    init(_ files: [FileSummary]) {
        for file in files {
            for record in file.records {
                guard let id = record.id else { continue }
                if parent[id] == nil { parent[id] = id }
                for link in [record.concurrentTo, record.segmentOrigin].compactMap({ $0 }) {
                    if parent[link] == nil { parent[link] = link }
                    union(id, link)
                }
            }
        }
        for id in parent.keys { groups[find(id), default: []].append(id) }
    }

    func members(of record: RecordSummary) -> [String] {
        guard let id = record.id else { return [] }
        return groups[find(id)] ?? [id]
    }

    private func find(_ id: String) -> String {
        var current = id
        while let next = parent[current], next != current { current = next }
        return current
    }

    private mutating func union(_ a: String, _ b: String) {
        let (rootA, rootB) = (find(a), find(b))
        if rootA != rootB { parent[rootA] = rootB }
    }
}
