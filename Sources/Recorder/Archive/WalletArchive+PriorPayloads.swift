import AomiAPI
import AomiArchive
import Foundation
import WARC

extension WalletArchive {
    /// Remembers the full responses of a folder's newest closed files (up to `maxBytes` of
    /// files), so that this run writes payloads they already hold as `revisit`s of them.
    /// A crawl of an unchanged wallet then writes revisits only. Returns how many were found.
    @discardableResult
    public func loadPriorPayloads(folder: String, maxBytes: Int64 = 512 << 20) throws -> Int {
        let directory = (settings.root as NSString).appendingPathComponent(folder)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { ArchiveFiles.isArchive(name: $0) && !ArchiveFiles.isOpen($0) }
            .sorted()
        var chosen: [String] = []
        var total: Int64 = 0
        for name in names.reversed() {
            let path = (directory as NSString).appendingPathComponent(name)
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64) ?? 0
            if total + size > maxBytes, !chosen.isEmpty { break }
            chosen.insert(path, at: 0)
            total += size
        }
        var found = 0
        for path in chosen {
            for entry in try RevisitOriginals.read(file: path) {
                remember(entry.original, for: PayloadMemory.key(session: entry.session, method: entry.method, path: entry.path, digest: entry.payloadDigest), folder: folder)
                found += 1
            }
        }
        return found
    }
}
