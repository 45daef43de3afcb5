import Foundation
import WARC

/// An archive file found under the root, with what identifies it across renames (`.open` →
/// closed) and rewrites: its `warcinfo` record's id, or a digest of its first bytes.
struct ArchiveFile {
    let path: String
    let size: Int64

    var isOpen: Bool { path.hasSuffix(WARCWriterConfiguration.openSuffix) }

    /// Every `.warc.gz`, `.warc` and their `.open` forms under `root`, in a stable order.
    static func all(under root: String) throws(IndexError) -> [ArchiveFile] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw .archiveRoot(path: root, reason: "cannot be read")
        }
        var files: [ArchiveFile] = []
        while let relative = enumerator.nextObject() as? String {
            let name = relative.hasSuffix(".open") ? String(relative.dropLast(5)) : relative
            guard name.hasSuffix(".warc.gz") || name.hasSuffix(".warc") else { continue }
            let path = (root as NSString).appendingPathComponent(relative)
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
            files.append(ArchiveFile(path: path, size: size))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The file's identity: its first record's id when that is a `warcinfo`, else a digest of
    /// its first 4 KiB (with its size when smaller).
    func identity() -> String {
        if let reader = try? WARCFileReader(path: path), case let .record(first)? = reader.next(),
           first.record.type == .warcinfo, let id = first.record.recordID {
            return id
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return "path:" + path }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        return "sha1:" + WARCDigest.sha1(Array(head)) + ":\(head.count)"
    }
}
