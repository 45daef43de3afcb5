import AomiArchive
import Foundation
import WARC

/// The recorded sessions a replay serves, prepared for matching: one script per session
/// (keys, queues, answers, events), without the recorded requests. Read from files, each
/// folder's sessions become scripts as soon as the folder is read (or, for one that began in
/// `_unbound`, entries waiting to be merged), so a replay of a large root never holds every
/// exchange it read at once.
public struct ReplayLibrary: Sendable {
    let scripts: [ReplayScript]
    /// The `redaction-key-id` of every `warcinfo` read: which key made the archive's tokens.
    public let redactionKeyIDs: Set<String>
    /// Records that could not be used, each with file and offset (`RecordedArchive.problems`).
    public let problems: [String]
    public let filesRead: Int

    public var sessionCount: Int { scripts.count }
    public var exchangeCount: Int { scripts.reduce(0) { $0 + $1.answers.count } }

    /// The sessions of an archive already read; `rules` must be the replay's.
    public init(archive: RecordedArchive, rules: MatchRules = MatchRules()) {
        let sessions = archive.sessions
        let prepared = ConcurrentResults<ReplayScript>(count: sessions.count)
        DispatchQueue.concurrentPerform(iterations: sessions.count) { prepared.set($0, ReplayScript(session: sessions[$0], rules: rules)) }
        scripts = prepared.values
        redactionKeyIDs = archive.redactionKeyIDs
        problems = archive.problems
        filesRead = archive.filesRead
    }

    /// Reads `files` folder by folder and keeps the sessions `selection` names, in the order
    /// their first request arrived (`RecordedArchive.load` reads the same sessions whole).
    ///
    /// A session's records are in its wallet's folder, and in `_unbound` until a request named
    /// the wallet. So the folders that are not a wallet's are read first and their sessions kept
    /// as entries; then each wallet folder's sessions that none of those holds become scripts
    /// as soon as the folder is read, and only the others wait to be merged. A session id found
    /// in two wallet folders (a client that sent one id with two wallets) is read again from
    /// them and merged, as `RecordedArchive.load` would.
    public static func load(
        files: [String], selection: SessionSelection = SessionSelection(), rules: MatchRules = MatchRules()
    ) throws(ArchiveFileError)
        -> ReplayLibrary
    {
        let byKind = Dictionary(grouping: files) { RecordedArchive.isWalletFolder(($0 as NSString).deletingLastPathComponent) }
        let loose = try RecordedArchive.readEachFolder(files: byKind[false] ?? [], selection: selection) { folder, share in
            FolderPart(folder: folder, share: share, rules: rules, building: { _ in false })
        }
        let looseIDs = Set(loose.flatMap { $0.pending.map(\.id) })
        let parts = try RecordedArchive.readEachFolder(files: byKind[true] ?? [], selection: selection) { folder, share in
            FolderPart(folder: folder, share: share, rules: rules, building: { !looseIDs.contains($0) })
        }
        let walletParts = try regathering(parts, walletFiles: byKind[true] ?? [], selection: selection, rules: rules)
        let all = loose + walletParts
        let scripts = (all.flatMap(\.built) + mergedScripts(all.flatMap(\.pending)))
            .filter { selection.includes(session: $0.id, wallet: $0.wallet) }
            .sorted { ($0.firstSeen, $0.id) < ($1.firstSeen, $1.id) }
        return ReplayLibrary(
            scripts: scripts, redactionKeyIDs: all.reduce(into: []) { $0.formUnion($1.redactionKeyIDs) }, problems: all.flatMap(\.problems),
            filesRead: all.reduce(0) { $0 + $1.filesRead })
    }

    /// `parts` with the sessions built in two wallet folders (one id sent with two wallets)
    /// read again from those folders as entries to merge.
    private static func regathering(
        _ parts: [FolderPart], walletFiles: [String], selection: SessionSelection, rules: MatchRules
    ) throws(ArchiveFileError) -> [FolderPart] {
        let twice = Set(Dictionary(grouping: parts.flatMap { $0.built.map(\.id) }, by: { $0 }).filter { $0.value.count > 1 }.keys)
        guard !twice.isEmpty else { return parts }
        let folders = Set(parts.filter { part in part.built.contains { twice.contains($0.id) } }.map(\.folder))
        let again = try RecordedArchive.readEachFolder(
            files: walletFiles.filter { folders.contains(($0 as NSString).deletingLastPathComponent) }, selection: selection
        ) { folder, share in
            var part = FolderPart(folder: folder, share: share, rules: rules, building: { _ in false })
            part.pending.removeAll { !twice.contains($0.id) }
            part.problems = []
            part.redactionKeyIDs = []
            part.filesRead = 0
            return part
        }
        return
            parts.map { part in
                var part = part
                part.built.removeAll { twice.contains($0.id) }
                return part
            } + again
    }

    /// The scripts of sessions whose entries came from several folders, in arrival order.
    private static func mergedScripts(_ pending: [FolderPart.Pending]) -> [ReplayScript] {
        let sessions = Dictionary(grouping: pending, by: \.id).map { id, parts in
            let entries = parts.flatMap(\.entries)
            let ordered = parts.count == 1 ? entries : entries.sorted(by: RecordedArchive.arrivalOrder(of: entries, sequence: \.sequence, date: \.facts.requestDate))
            return (id: id, wallet: ordered.lazy.compactMap(\.wallet).first, entries: ordered)
        }
        let prepared = ConcurrentResults<ReplayScript>(count: sessions.count)
        DispatchQueue.concurrentPerform(iterations: sessions.count) { index in
            prepared.set(index, ReplayScript(id: sessions[index].id, wallet: sessions[index].wallet, entries: sessions[index].entries))
        }
        return prepared.values
    }

    private init(scripts: [ReplayScript], redactionKeyIDs: Set<String>, problems: [String], filesRead: Int) {
        self.scripts = scripts
        self.redactionKeyIDs = redactionKeyIDs
        self.problems = problems
        self.filesRead = filesRead
    }

    /// What one folder gave: the scripts of sessions complete in it, the entries of the others.
    private struct FolderPart: Sendable {
        /// A session's entries waiting for those of another folder.
        struct Pending: Sendable {
            var id: String
            var entries: [ReplayScript.Entry]
        }

        var folder: String
        var built: [ReplayScript] = []
        var pending: [Pending] = []
        var redactionKeyIDs: Set<String>
        var problems: [String]
        var filesRead: Int

        /// `building`: whether a session of the folder is whole in it (its script is made now).
        init(folder: String, share: RecordedArchive, rules: MatchRules, building: (String) -> Bool) {
            self.folder = folder
            redactionKeyIDs = share.redactionKeyIDs
            problems = share.problems
            filesRead = share.filesRead
            var fields = FieldInterner()
            for session in share.sessions {
                let entries = session.exchanges.map { ReplayScript.Entry($0, rules: rules, interning: &fields) }
                if building(session.id) {
                    built.append(ReplayScript(id: session.id, wallet: session.wallet, entries: entries))
                } else {
                    pending.append(Pending(id: session.id, entries: entries))
                }
            }
        }
    }
}
