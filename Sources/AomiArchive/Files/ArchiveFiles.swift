import AomiAPI
import Foundation
import WARC

/// Where archive files live and what they are called: the one place that finds them under a
/// root (`index`, `replay`, `verify`, `export`, the recorder's revisit memory and `.open`
/// repair all ask it) and knows the folder of a wallet.
public enum ArchiveFiles {
    /// The folder of records whose session has not named its wallet yet.
    public static let unboundFolder = "_unbound"

    /// The folder (under the root) of a wallet's records.
    public static func folder(for wallet: WalletAddress?) -> String {
        wallet?.value ?? unboundFolder
    }

    /// Whether a file name is an archive: `.warc.gz` or `.warc`, closed or still `.open`.
    public static func isArchive(name: String) -> Bool {
        let closed = isOpen(name) ? String(name.dropLast(WARCWriterConfiguration.openSuffix.count)) : name
        return closed.hasSuffix(".warc.gz") || closed.hasSuffix(".warc")
    }

    /// Whether a path under a store's prefix (or a root) is a closed archive file: not
    /// `.open`, not under a `.`-folder of the tools (`.forgetting/`, `.forgotten/`).
    public static func isClosedArchive(relative path: String) -> Bool {
        isArchive(name: path) && !isOpen(path) && !path.split(separator: "/").contains { $0.hasPrefix(".") }
    }

    /// Whether a file is still being written (or was left by a crash).
    public static func isOpen(_ path: String) -> Bool {
        path.hasSuffix(WARCWriterConfiguration.openSuffix)
    }

    /// The archive files under `root` (searched recursively; `root` itself when it is a file),
    /// sorted by path, so a folder's files come oldest name first. `.open` files only with
    /// `includeOpen`.
    public static func find(under root: String, includeOpen: Bool = true) throws(ArchiveFilesError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else { throw .missing(root) }
        guard isDirectory.boolValue else { return [root] }
        guard let walker = FileManager.default.enumerator(atPath: root) else { throw .unreadable(root) }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            guard isArchive(name: relative), includeOpen || !isOpen(relative) else { continue }
            found.append((root as NSString).appendingPathComponent(relative))
        }
        return found.sorted()
    }

    /// `path` relative to `root` (`<wallet>/<file>`), both standardised; the file's name alone
    /// for a path outside `root`.
    public static func relativePath(of path: String, under root: String) -> String {
        let standardRoot = (root as NSString).standardizingPath
        let standard = (path as NSString).standardizingPath
        return standard.hasPrefix(standardRoot + "/") ? String(standard.dropFirst(standardRoot.count + 1)) : (standard as NSString).lastPathComponent
    }

    /// A file's size in bytes (0 when it cannot be read).
    public static func size(of path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// The `.open` files under `root`.
    public static func openFiles(under root: String) -> [String] {
        ((try? find(under: root)) ?? []).filter(isOpen)
    }

    /// Repairs every `.open` file under `root` that no running writer holds (cut after the
    /// last complete record, damage between records rewritten away, unfinished streams ended
    /// with `Aomi-Stream-End: error`, renamed): what `record` and `crawl` do at start, after
    /// taking their own `RecorderLock`, and `inspect --repair` does to a file. The files of
    /// writers that are still running (another recorder on the same root) are left alone.
    public static func repairOpenFiles(under root: String) throws -> OpenFilesRepair {
        var outcome = OpenFilesRepair()
        for path in openFiles(under: root) {
            if let report = try RecorderLock.whenWriterStopped(of: path, root: root, { try repair(path) }) {
                outcome.repaired.append(report)
            } else {
                outcome.inUse.append(path)
            }
        }
        return outcome
    }

    /// Repairs one file as `repairOpenFiles` does, unless a running recorder writes it: nil
    /// then, and the file is untouched. The file's root is the folder above its wallet folder
    /// (where a recorder keeps `.recorders`).
    public static func repairUnlessWritten(_ path: String, removingUnreadable: Bool = true) throws -> WARCRepairReport? {
        let root = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        return try RecorderLock.whenWriterStopped(of: path, root: root) { try repair(path, removingUnreadable: removingUnreadable) }
    }

    /// Repairs one file as `repairOpenFiles` does.
    public static func repair(_ path: String, removingUnreadable: Bool = true) throws -> WARCRepairReport {
        try WARCFileRepair.repair(path: path, finalSegmentFields: [(AomiField.streamEnd, StreamEnd.error.rawValue)], removingUnreadable: removingUnreadable)
    }
}

/// What a start-up repair did: the files it repaired, and the `.open` files it left alone
/// because a running writer holds them.
public struct OpenFilesRepair: Sendable {
    public var repaired: [WARCRepairReport] = []
    public var inUse: [String] = []
}

/// Why archive files could not be listed.
public enum ArchiveFilesError: Error, Sendable, CustomStringConvertible {
    case missing(String)
    case unreadable(String)

    public var description: String {
        switch self {
        case let .missing(path): "\(path) does not exist"
        case let .unreadable(path): "\(path) cannot be read"
        }
    }
}
