import AomiArchive
import Foundation
import ObjectStore

/// Wallet folders of a store made local for a long-running reader (the browser): the index
/// names a session's files by their objects' addresses (`s3://BUCKET/PREFIX/<wallet>/<file>`),
/// and before a page reads them, `prepare` fetches that folder's objects into the cache and
/// links them into a folder of the reader's own, where `localFiles` finds them. Each prepare
/// lists the folder again: a rewritten object is linked anew, and one deleted from the store
/// (a forget, a prune) is unlinked, so the reader never shows what the store no longer holds.
public actor StoreFolders {
    public let files: StoreFiles
    /// The reader's own folder of links (under the cache's `.in-use/`).
    public nonisolated let folder: String
    /// The folders prepared so far (their addresses).
    private var prepared: Set<String> = []

    public init(files: StoreFiles) {
        self.files = files
        folder = files.cache.newOwnFolder()
    }

    /// Whether `address` (a folder as the index names it) is one of this store's.
    public nonisolated func holds(_ address: String) -> Bool {
        address.hasPrefix(StoreFiles.address(of: "", bucket: files.location.bucket))
    }

    /// Makes the folders at `addresses` (`s3://BUCKET/PREFIX/<wallet>`) local and current.
    public func prepare(_ addresses: Set<String>) async throws(StoreError) {
        for address in addresses.sorted() where holds(address) {
            prepared.insert(address)
            let prefix = String(address.dropFirst(StoreFiles.address(of: "", bucket: files.location.bucket).count)) + "/"
            var linked: Set<String> = []
            for object in try await files.folderObjects(prefix) { linked.insert(try await files.cache.link(object, into: folder)) }
            for stale in localFiles(ofFolder: address) where !linked.contains(stale) { unlink(stale) }
        }
    }

    /// Prepares again every folder prepared so far: what the store rewrote or deleted since
    /// (a forget, a prune, a compaction) is relinked or unlinked. The browser runs it after
    /// each refresh of its index.
    public func refresh() async throws(StoreError) {
        try await prepare(prepared)
    }

    /// The local files of a prepared folder, in name order.
    public nonisolated func localFiles(ofFolder address: String) -> [String] {
        let local = localPath(of: address)
        return ((try? FileManager.default.contentsOfDirectory(atPath: local)) ?? []).filter { ArchiveFiles.isClosedArchive(relative: $0) }.sorted()
            .map { (local as NSString).appendingPathComponent($0) }
    }

    /// Where a store folder's links are.
    public nonisolated func localPath(of address: String) -> String {
        (folder as NSString).appendingPathComponent(String(address.dropFirst("s3://".count)))
    }
}
