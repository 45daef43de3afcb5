import AomiArchive
import Foundation
import WARC

/// An archive file found under the root, with what identifies it across renames (`.open` →
/// closed) and rewrites: its `warcinfo` record's id, or a digest of its first bytes.
struct ArchiveFile {
    let path: String
    let size: Int64

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
    /// its first 4 KiB (with its size when smaller).
    func identity() -> String {
        if let reader = try? WARCFileReader(path: path), case let .record(first)? = reader.next(),
            first.record.type == .warcinfo, let id = first.record.recordID
        {
            return id
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return "path:" + path }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        return "sha1:" + WARCDigest.sha1(Array(head)) + ":\(head.count)"
    }
}
