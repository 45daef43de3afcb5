import AomiAPI
import Foundation
import WARC

/// The recorded sessions a replay serves, read from `.warc.gz` files: requests paired with
/// their responses, revisits resolved to the payload they refer to, segmented SSE responses
/// reassembled into their events.
public struct RecordedArchive: Sendable {
    /// Sessions in the order their first request arrived.
    public var sessions: [RecordedSession]
    /// The `redaction-key-id` of every `warcinfo` read: which key made the archive's tokens.
    public var redactionKeyIDs: Set<String>
    /// Records that could not be used (damage, a revisit whose original is missing, an
    /// exchange without its response), each with file and offset.
    public var problems: [String]
    public var filesRead: Int

    public init(sessions: [RecordedSession], redactionKeyIDs: Set<String> = [], problems: [String] = [], filesRead: Int = 0) {
        self.sessions = sessions
        self.redactionKeyIDs = redactionKeyIDs
        self.problems = problems
        self.filesRead = filesRead
    }

    /// Every archive file under `root` (`.warc.gz`, `.warc`, and their `.open` forms), each
    /// folder's oldest name first.
    public static func archiveFiles(under root: String) throws(ArchiveFileError) -> [String] {
        guard let files = try? ArchiveFiles.find(under: root), !files.isEmpty else { throw .noArchives(path: root) }
        return files
    }

    /// Reads `files` (each folder's files in name order, so revisits find earlier originals) and
    /// keeps the selected sessions. Folders are read in parallel.
    public static func load(files: [String], selection: SessionSelection = SessionSelection()) throws(ArchiveFileError) -> RecordedArchive {
        merged(try readEachFolder(files: files, selection: selection) { _, share in share }, selection: selection)
    }

    /// Reads `files` folder by folder, in parallel, and hands each folder (its path, and its
    /// share of the sessions) to `reduce` as soon as it is read (a session may have records in
    /// its wallet's folder and in `_unbound`; within a share, exchanges are in arrival order).
    /// A caller that keeps less than whole exchanges then never holds every folder's at once.
    /// Folders that cannot hold `selection`'s wallet are skipped; sessions are not filtered
    /// here, since a share may not name its session's wallet (`selection.includes` after merging).
    public static func readEachFolder<Part: Sendable>(
        files: [String], selection: SessionSelection, _ reduce: @Sendable (_ folder: String, _ share: RecordedArchive) -> Part
    ) throws(ArchiveFileError) -> [Part] {
        let folders = Dictionary(grouping: files) { ($0 as NSString).deletingLastPathComponent }
            .filter { folder, _ in selection.wallet.map { wallet in Self.folderMayHold(wallet: wallet, folder: folder) } ?? true }
            .sorted { $0.key < $1.key }
        let results = ConcurrentResults<Result<Part, ArchiveFileError>>(count: folders.count)
        DispatchQueue.concurrentPerform(iterations: folders.count) { index in
            var loader = FolderReader()
            let load = loader.load(files: folders[index].value.sorted())
            if let failure = load.failure {
                results.set(index, .failure(failure))
                return
            }
            let sessions = Dictionary(grouping: load.exchanges, by: \.session).map { id, exchanges in
                let ordered = exchanges.sorted(by: arrivalOrder(of: exchanges))
                return RecordedSession(id: id, wallet: ordered.lazy.compactMap(\.wallet).first, exchanges: ordered)
            }
            let share = RecordedArchive(sessions: sessions, redactionKeyIDs: load.keyIDs, problems: load.problems, filesRead: load.filesRead)
            results.set(index, .success(reduce(folders[index].key, share)))
        }
        return try results.values.map { result throws(ArchiveFileError) in try result.get() }
    }

    /// The folders' shares as one archive: each session's exchanges in arrival order, the
    /// sessions `selection` names, in the order their first request arrived.
    private static func merged(_ shares: [RecordedArchive], selection: SessionSelection) -> RecordedArchive {
        var sessions: [String: RecordedSession] = [:]
        var split: Set<String> = []
        var archive = RecordedArchive(sessions: [])
        for share in shares {
            archive.redactionKeyIDs.formUnion(share.redactionKeyIDs)
            archive.problems += share.problems
            archive.filesRead += share.filesRead
            for session in share.sessions {
                if sessions[session.id] == nil {
                    sessions[session.id] = session
                } else {
                    sessions[session.id]?.exchanges += session.exchanges
                    split.insert(session.id)
                }
            }
        }
        for id in split {
            guard var session = sessions[id] else { continue }
            session.exchanges.sort(by: arrivalOrder(of: session.exchanges))
            session.wallet = session.exchanges.lazy.compactMap(\.wallet).first
            sessions[id] = session
        }
        archive.sessions = sessions.values.filter { selection.includes(session: $0.id, wallet: $0.wallet) }
            .sorted { ($0.firstSeen, $0.id) < ($1.firstSeen, $1.id) }
        return archive
    }

    /// How a session's exchanges are put in arrival order. One recorder numbers a session's
    /// requests as they arrive (`Aomi-Exchange-Seq`), which orders them even when their clock
    /// readings tie. When the numbers repeat, the session went through several recorders on
    /// one root (each numbers its own share), and only the request dates order them.
    public static func arrivalOrder<Item>(of items: [Item], sequence: @escaping (Item) -> Int, date: @escaping (Item) -> WARCDate) -> (Item, Item) -> Bool {
        let numbers = items.map(sequence).filter { $0 != Int.max }
        if Set(numbers).count == numbers.count {
            return { (sequence($0), date($0)) < (sequence($1), date($1)) }
        }
        return { (date($0), sequence($0)) < (date($1), sequence($1)) }
    }

    static func arrivalOrder(of exchanges: [RecordedExchange]) -> (RecordedExchange, RecordedExchange) -> Bool {
        let order = arrivalOrder(of: exchanges, sequence: \.sequence, date: \.request.date)
        return { order($0, $1) }
    }

    /// Whether `folder` is a wallet's (`0x…`) rather than `_unbound`: a session's records are
    /// in its wallet's folder, and in `_unbound` until a request names the wallet.
    public static func isWalletFolder(_ folder: String) -> Bool {
        (folder as NSString).lastPathComponent.lowercased().hasPrefix("0x")
    }

    /// A wallet's records live in its own folder, or in `_unbound` until a session names it.
    private static func folderMayHold(wallet: String, folder: String) -> Bool {
        let name = (folder as NSString).lastPathComponent.lowercased()
        return name == wallet || !name.hasPrefix("0x")
    }
}
