import Foundation

/// A bounded local cache of whole objects, for the commands that read archives from a store:
/// the copy of `s3://BUCKET/KEY` is `FOLDER/BUCKET/KEY`, with the ETag it was copied at in
/// `FOLDER/BUCKET/KEY.etag`. A copy whose ETag is not the object's any more (rewritten by a
/// compaction or a forget) is fetched again; when the copies would pass the limit, the least
/// recently used go first.
///
/// A command takes its copies with `checkout`: each is hard-linked into a folder of its own
/// (`FOLDER/.in-use/PID-RANDOM/BUCKET/KEY`), so another command making room in the cache never
/// takes a file from under it (the link keeps the bytes; the cache may drop its copy); the
/// folder goes when the command releases it, or, when the command died, at the next checkout.
///
/// The folder is made private (0700): it holds archive records. Copies of objects deleted
/// from the store or rewritten since are removed by `prune(toMatch:under:)`, which every
/// reader calls with the listing it works from, so what a forget erased does not live on here.
public struct ObjectCache: Sendable {
    public let folder: String
    public let limitBytes: Int64
    public let client: ObjectStoreClient

    public init(folder: String, limitBytes: Int64, client: ObjectStoreClient) throws(StoreError) {
        self.folder = folder
        self.limitBytes = max(0, limitBytes)
        self.client = client
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
            throw .localFile(path: folder, reason: "\(error)")
        }
    }

    /// Where the copy of `key` of the client's bucket is (whether or not it is there).
    public func path(of key: String) -> String {
        (folder as NSString).appendingPathComponent(client.bucket + "/" + key)
    }

    /// The local copy of `object`, fetched unless a copy at its ETag is there; room is made
    /// first. Read it through `checkout` or `link(_:into:)`: a copy itself may be evicted by
    /// another command at any time.
    @discardableResult
    public func fetch(_ object: StoreObject) async throws(StoreError) -> String {
        guard StoreMirror.isSafe(object.key) else { throw .localFile(path: object.key, reason: "an object key that would leave the cache folder") }
        let path = path(of: object.key)
        if cachedETag(at: path) == object.etag, FileStamp(path: path)?.size == object.size {
            touch(path + ".etag")
            return path
        }
        makeRoom(for: object.size, sparing: path)
        do { try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true) } catch {
            throw .localFile(path: path, reason: "\(error)")
        }
        unlink(path + ".etag")
        try await client.download(object, to: path)
        guard FileManager.default.createFile(atPath: path + ".etag", contents: Data(object.etag.utf8)) else {
            throw .localFile(path: path + ".etag", reason: "could not be written")
        }
        return path
    }

    /// Fetches `objects` and links them into a folder of the caller's own, in the same layout
    /// (so wallet folders stay folders): the files a command reads, safe from eviction.
    public func checkout(_ objects: [StoreObject]) async throws(StoreError) -> Checkout {
        let checkout = Checkout(folder: newOwnFolder())
        do throws(StoreError) {
            let cache = self
            let own = checkout.folder
            checkout.paths = try await ConcurrentTransfers.map(objects) { object async throws(StoreError) in try await cache.link(object, into: own) }
        } catch {
            checkout.release()
            throw error
        }
        return checkout
    }

    /// A new folder of this process's own under the cache (`.in-use/PID-RANDOM`), for links
    /// (`link(_:into:)`); the folders of processes that died are removed first.
    public func newOwnFolder() -> String {
        let inUse = (folder as NSString).appendingPathComponent(Self.inUseFolder)
        MirrorFolder.removeAbandoned(under: inUse, namePrefix: "")
        return (inUse as NSString).appendingPathComponent("\(getpid())-\(UUID().uuidString.prefix(8).lowercased())")
    }

    /// Fetches `object` and links its copy into `own` (a folder from `newOwnFolder`) at
    /// `BUCKET/KEY`, replacing a link to an older version; returns the linked path.
    @discardableResult
    public func link(_ object: StoreObject, into own: String) async throws(StoreError) -> String {
        let linked = (own as NSString).appendingPathComponent(client.bucket + "/" + object.key)
        do { try FileManager.default.createDirectory(atPath: (linked as NSString).deletingLastPathComponent, withIntermediateDirectories: true) } catch {
            throw .localFile(path: linked, reason: "\(error)")
        }
        // Another process making room may remove the copy between its fetch and the link: fetch again, once.
        for attempt in 1...2 {
            let cached = try await fetch(object)
            if let present = FileStamp(path: linked), let copy = FileStamp(path: cached), present.inode == copy.inode { return linked }
            unlink(linked)
            if Foundation.link(cached, linked) == 0 { return linked }
            guard errno == ENOENT, attempt == 1 else { break }
        }
        throw .localFile(path: linked, reason: String(cString: strerror(errno)))
    }

    static let inUseFolder = ".in-use"

    /// The files a command took from the cache (`checkout`), in the order asked.
    public final class Checkout: @unchecked Sendable {
        public let folder: String
        public fileprivate(set) var paths: [String] = []

        init(folder: String) { self.folder = folder }

        /// The local path of the object `key` of `bucket` in this checkout.
        public func path(bucket: String, key: String) -> String { (folder as NSString).appendingPathComponent(bucket + "/" + key) }

        /// Removes the links (the cache keeps its copies).
        public func release() { try? FileManager.default.removeItem(atPath: folder) }

        deinit { release() }
    }

    /// Removes the copies under `prefix` (a key prefix) that are not the objects `listed`
    /// there now: objects deleted from the store since they were copied, or rewritten (a
    /// forget, a compaction). Whoever lists a prefix calls this, so the cache does not keep
    /// what a forget erased from the store.
    public func prune(toMatch listed: [StoreObject], under prefix: String) {
        let etags = Dictionary(listed.map { ($0.key, $0.etag) }, uniquingKeysWith: { first, _ in first })
        let bucketFolder = (folder as NSString).appendingPathComponent(client.bucket)
        for (path, _, _) in copies() where path.hasPrefix(bucketFolder + "/") {
            let key = String(path.dropFirst(bucketFolder.count + 1))
            guard key.hasPrefix(prefix), etags[key] != cachedETag(at: path) else { continue }
            remove(path)
        }
    }

    private func cachedETag(at path: String) -> String? {
        FileManager.default.contents(atPath: path + ".etag").map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every copy in the cache, with its size and when it was last used (its `.etag`'s time).
    private func copies() -> [(path: String, size: Int64, used: Double)] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [(String, Int64, Double)] = []
        while let relative = walker.nextObject() as? String {
            if relative == Self.inUseFolder {
                walker.skipDescendants()
                continue
            }
            guard relative.hasSuffix(".etag") else { continue }
            let path = (folder as NSString).appendingPathComponent(String(relative.dropLast(".etag".count)))
            guard let stamp = FileStamp(path: path) else { continue }
            var info = stat()
            let used = stat(path + ".etag", &info) == 0 ? Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9 : 0
            found.append((path, stamp.size, used))
        }
        return found
    }

    private func makeRoom(for bytes: Int64, sparing kept: String) {
        var copies = copies()
        var total = copies.reduce(Int64(0)) { $0 + $1.size }
        guard total + bytes > limitBytes else { return }
        copies.sort { $0.used < $1.used }
        for copy in copies where total + bytes > limitBytes && copy.path != kept {
            remove(copy.path)
            total -= copy.size
        }
    }

    private func remove(_ path: String) {
        unlink(path + ".etag")
        unlink(path)
    }

    private func touch(_ path: String) {
        utimes(path, nil)
    }
}
