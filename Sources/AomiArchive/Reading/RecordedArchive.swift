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
        let folders = Dictionary(grouping: files) { ($0 as NSString).deletingLastPathComponent }
            .filter { folder, _ in selection.wallet.map { wallet in Self.folderMayHold(wallet: wallet, folder: folder) } ?? true }
            .sorted { $0.key < $1.key }
        let results = ConcurrentResults<FolderReading>(count: folders.count)
        DispatchQueue.concurrentPerform(iterations: folders.count) { index in
            var loader = FolderReader()
            results.set(index, loader.load(files: folders[index].value.sorted()))
        }
        var sessions: [String: RecordedSession] = [:]
        var archive = RecordedArchive(sessions: [])
        for load in results.values {
            if let failure = load.failure { throw failure }
            archive.redactionKeyIDs.formUnion(load.keyIDs)
            archive.problems += load.problems
            archive.filesRead += load.filesRead
            for exchange in load.exchanges {
                sessions[exchange.session, default: RecordedSession(id: exchange.session, wallet: exchange.wallet, exchanges: [])].exchanges.append(exchange)
            }
        }
        archive.sessions = sessions.values.map { session in
            var session = session
            session.exchanges.sort(by: Self.arrivalOrder(of: session.exchanges))
            session.wallet = session.exchanges.lazy.compactMap(\.wallet).first
            return session
        }.filter { selection.includes(session: $0.id, wallet: $0.wallet) }
            .sorted { ($0.firstSeen, $0.id) < ($1.firstSeen, $1.id) }
        return archive
    }

    /// How a session's exchanges are put in arrival order. One recorder numbers a session's
    /// requests as they arrive (`Aomi-Exchange-Seq`), which orders them even when their clock
    /// readings tie. When the numbers repeat, the session went through several recorders on
    /// one root (each numbers its own share), and only the request dates order them.
    static func arrivalOrder(of exchanges: [RecordedExchange]) -> (RecordedExchange, RecordedExchange) -> Bool {
        let numbers = exchanges.map(\.sequence).filter { $0 != Int.max }
        if Set(numbers).count == numbers.count {
            return { ($0.sequence, $0.request.date) < ($1.sequence, $1.request.date) }
        }
        return { ($0.request.date, $0.sequence) < ($1.request.date, $1.sequence) }
    }

    /// A wallet's records live in its own folder, or in `_unbound` until a session names it.
    private static func folderMayHold(wallet: String, folder: String) -> Bool {
        let name = (folder as NSString).lastPathComponent.lowercased()
        return name == wallet || !name.hasPrefix("0x")
    }
}
