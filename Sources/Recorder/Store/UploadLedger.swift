import AomiArchive
import Foundation

/// `ROOT/.uploaded`: the files uploaded and kept (`record --keep-local`), one line each
/// (path under the root, size, modification time), so that a next start sends only what is
/// new or changed. A file rewritten since (compacted, forgotten) no longer matches its line
/// and is sent again.
struct UploadLedger {
    static let fileName = ".uploaded"

    struct Entry: Hashable {
        var relativePath: String
        var size: Int64
        var modified: Int64

        init(path: String, root: String) {
            relativePath = ArchiveFiles.relativePath(of: path, under: root)
            var info = stat()
            if stat(path, &info) == 0 {
                size = Int64(info.st_size)
                modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            } else {
                size = -1
                modified = -1
            }
        }

        init?(line: Substring) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, let size = Int64(fields[1]), let modified = Int64(fields[2]) else { return nil }
            relativePath = String(fields[0])
            self.size = size
            self.modified = modified
        }

        var line: String { "\(relativePath)\t\(size)\t\(modified)\n" }
    }

    let path: String

    init(root: String) {
        path = (root as NSString).appendingPathComponent(Self.fileName)
    }

    /// The lines read; a torn last line (a crash while appending) is skipped.
    func entries() -> Set<Entry> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").compactMap(Entry.init(line:)))
    }

    func append(_ entry: Entry) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        let bytes = Array(entry.line.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }
}
