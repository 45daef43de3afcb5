import Foundation
import ObjectStore
import TestSupport

/// What a bucket holds under a prefix, for the tests of a store: its objects downloaded into
/// a fresh folder laid out as a root (each at its key under the prefix), with their ETags.
enum BucketContents {
    static func download(_ client: ObjectStoreClient, prefix: String) async throws -> (folder: String, etags: [String: String]) {
        let folder = TemporaryDirectory.path("aomi-bucket-copy")
        var etags: [String: String] = [:]
        for object in try await client.list(prefix: prefix) {
            let relative = String(object.key.dropFirst(prefix.count))
            etags[relative] = object.etag
            let path = folder + "/" + relative
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(try await client.get(key: object.key)).write(to: URL(fileURLWithPath: path))
        }
        return (folder, etags)
    }
}
