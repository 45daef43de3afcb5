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

    /// What a listing of archive objects found: the closed archive objects, in key order, and
    /// the keys of archive objects that no local path can stand for (an empty, `.` or `..`
    /// segment), which no reader takes and `index` names.
    public struct Listing: Sendable {
        public var objects: [StoreObject] = []
        public var refusedKeys: [String] = []
    }

    /// The closed archive objects under the prefix. Copies in the cache of objects under the
    /// prefix that the store no longer has, or has rewritten, are removed on the way.
    public func archiveObjects() async throws(StoreError) -> Listing {
        try await archiveObjects(under: location.listingPrefix)
    }

    /// The closed archive objects directly in the folder whose keys start with `folderPrefix`
    /// (`PREFIX/<wallet>/`), with the cache pruned to match them.
    public func folderObjects(_ folderPrefix: String) async throws(StoreError) -> [StoreObject] {
        try await archiveObjects(under: folderPrefix).objects.filter { !$0.key.dropFirst(folderPrefix.count).contains("/") }
    }

    /// The closed archive objects whose keys start with `prefix` (the store's prefix, or one
    /// of its folders), with the cache pruned to match them.
    private func archiveObjects(under prefix: String) async throws(StoreError) -> Listing {
        let listed = try await client.list(prefix: prefix)
        cache.prune(toMatch: listed, under: prefix)
        var listing = Listing()
        for object in listed {
            guard let relative = location.relativePath(of: object.key), ArchiveFiles.isArchive(name: relative) else { continue }
            if !StoreMirror.isSafe(object.key) {
                listing.refusedKeys.append(object.key)
            } else if ArchiveFiles.isClosedArchive(relative: relative) {
                listing.objects.append(object)
            }
        }
        return listing
    }

    /// The files of `folders` (wallet folder names; nil: every folder), checked out of the
    /// cache. Only those folders are listed: the start of a replay of one session does not
    /// grow with the store. Keep the checkout until the files are read.
    public func checkout(folders: Set<String>? = nil) async throws(StoreError) -> ObjectCache.Checkout {
        guard let folders else { return try await cache.checkout(try await archiveObjects().objects) }
        var objects: [StoreObject] = []
        for folder in folders.sorted() where StoreMirror.isSafe(folder) {
            objects += try await folderObjects(location.key(for: folder) + "/")
        }
        return try await cache.checkout(objects)
    }

    /// The name of the folder an object (or an indexed address) is in: its wallet folder.
    public static func folderName(of key: String) -> String {
        ((key as NSString).deletingLastPathComponent as NSString).lastPathComponent
    }
}
