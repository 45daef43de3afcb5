import AomiArchive
import Foundation
import ObjectStore

/// The archive files of a store that a reader (`replay`, `verify`, `export`, `serve`,
/// `inspect`) needs, as local files: the store's closed archive objects, narrowed to wallet
/// folders when the caller knows which hold what it wants, taken from the cache
/// (`ObjectCache.checkout`). The files keep the store's layout (`BUCKET/PREFIX/<wallet>/<file>`
/// under the checkout), so wallet folders stay folders and revisits find their originals.
public struct StoreFiles: Sendable {
    public let client: ObjectStoreClient
    public let location: StoreLocation
    public let cache: ObjectCache

    public init(client: ObjectStoreClient, location: StoreLocation, cache: ObjectCache) {
        self.client = client
        self.location = location
        self.cache = cache
    }

    /// How the index names an object: `s3://BUCKET/KEY`.
    public static func address(of key: String, bucket: String) -> String { "s3://\(bucket)/\(key)" }

    /// The closed archive objects under the prefix, in key order (keys no local path can
    /// stand for left out: `refusedKeys`). Copies in the cache of
    /// objects under the prefix that the store no longer has, or has rewritten, are removed
    /// on the way.
    public func archiveObjects() async throws(StoreError) -> [StoreObject] {
        try await archiveObjects(under: location.listingPrefix)
    }

    /// The closed archive objects whose keys start with `prefix` (the store's prefix, or one
    /// of its folders), with the cache pruned to match them.
    func archiveObjects(under prefix: String) async throws(StoreError) -> [StoreObject] {
        let listed = try await client.list(prefix: prefix)
        cache.prune(toMatch: listed, under: prefix)
        return listed.filter { object in
            guard let relative = location.relativePath(of: object.key) else { return false }
            return ArchiveFiles.isClosedArchive(relative: relative) && StoreMirror.isSafe(object.key)
        }
    }

    /// Archive objects under the prefix whose keys no local path can stand for (an empty,
    /// `.` or `..` segment): no reader takes them, and `index` names them.
    public func refusedKeys() async throws(StoreError) -> [String] {
        try await client.list(prefix: location.listingPrefix).map(\.key).filter { key in
            guard let relative = location.relativePath(of: key) else { return false }
            return ArchiveFiles.isArchive(name: relative) && !StoreMirror.isSafe(key)
        }
    }

    /// The files of `folders` (wallet folder names; nil: every folder), checked out of the
    /// cache. Only those folders are listed: the start of a replay of one session does not
    /// grow with the store. Keep the checkout until the files are read.
    public func checkout(folders: Set<String>? = nil) async throws(StoreError) -> ObjectCache.Checkout {
        guard let folders else { return try await cache.checkout(try await archiveObjects()) }
        var objects: [StoreObject] = []
        for folder in folders.sorted() where StoreMirror.isSafe(folder) {
            objects += try await archiveObjects(under: location.key(for: folder) + "/").filter { Self.folderName(of: $0.key) == folder }
        }
        return try await cache.checkout(objects)
    }

    /// The name of the folder an object (or an indexed address) is in: its wallet folder.
    public static func folderName(of key: String) -> String {
        ((key as NSString).deletingLastPathComponent as NSString).lastPathComponent
    }
}
