import AomiArchive
import Foundation
import WARC

/// An archive file found under the root, with what identifies it across renames (`.open` →
/// closed) and rewrites: its `warcinfo` record's id, or a digest of its first bytes.
struct ArchiveFile {
    /// The path the index keeps (an object's `s3://` address for a store).
    let path: String
    let size: Int64
    /// Where the bytes are read: the path itself, or a local copy of an object.
    var readPath: String

    init(path: String, size: Int64, readPath: String? = nil) {
        self.path = path
        self.size = size
        self.readPath = readPath ?? path
    }

    var isOpen: Bool { ArchiveFiles.isOpen(path) }

    /// Every `.warc.gz`, `.warc` and their `.open` forms under `root`, in a stable order.
    static func all(under root: String) throws(IndexError) -> [ArchiveFile] {
        let paths: [String]
        do {
            paths = try ArchiveFiles.find(under: root)
        } catch {
            throw .archiveRoot(path: root, reason: error.description)
        }
        return paths.map { path in
            ArchiveFile(path: path, size: ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    /// The file's identity: its first record's id when that is a `warcinfo`, else a digest of
    /// its first 4 KiB (with its size when smaller); and whether the `warcinfo` says the file
    /// was compacted (it then holds the records of the file it replaced, under a new identity).
    func identity() -> (identity: String, compacted: Bool) {
        if let reader = try? WARCFileReader(path: readPath, options: WARCReaderOptions(windowBytes: 64 << 10, readsInsideBundles: false)),
            case let .record(first)? = reader.next(), first.record.type == .warcinfo, let id = first.record.recordID
        {
            return (id, CompactionInfo(first.record) != nil)
        }
        guard let handle = FileHandle(forReadingAtPath: readPath) else { return ("path:" + path, false) }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        return ("sha1:" + WARCDigest.sha1(Array(head)) + ":\(head.count)", false)
    }
}
