import ArgumentParser
import Foundation
import ObjectStore
import StoredArchives

/// `--archives s3://BUCKET/PREFIX`: the store and its client, checked once (credentials,
/// bucket, endpoint) so that a wrong setting is said in the store's words before any work;
/// and the cache its readers take objects from (`AOMI_ARCHIVE_CACHE`,
/// `AOMI_ARCHIVE_CACHE_SIZE`).
struct StoreOption {
    let location: StoreLocation
    let client: ObjectStoreClient

    /// The store `archives` names, or nil when it names a folder.
    static func named(_ archives: String, command: String) async throws -> StoreOption? {
        guard StoreLocation.isStore(archives) else { return nil }
        do {
            let location = try StoreLocation(archives)
            let client = try ObjectStoreClient(location: location)
            try await client.checkAccess()
            return StoreOption(location: location, client: client)
        } catch {
            printError("\(command): --archives \(archives): \(error)")
            throw ExitCode(1)
        }
    }

    /// Checks the text of `--archives` when it names a store (`validate()`).
    static func validate(_ archives: String) throws {
        guard StoreLocation.isStore(archives) else { return }
        do { _ = try StoreLocation(archives) } catch { throw ValidationError("--archives: \(error)") }
    }

    /// The local cache of objects: `AOMI_ARCHIVE_CACHE` (default `$XDG_CACHE_HOME/aomi-archive`,
    /// else `~/.cache/aomi-archive`), at most `AOMI_ARCHIVE_CACHE_SIZE` (default 4GiB).
    func cache() throws -> ObjectCache { try Self.cache(client: client) }

    /// The cache of `client`'s objects (see `cache()`).
    static func cache(client: ObjectStoreClient, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ObjectCache {
        let folder =
            environment["AOMI_ARCHIVE_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache"))
            as NSString).appendingPathComponent("aomi-archive")
        let text = environment["AOMI_ARCHIVE_CACHE_SIZE"].flatMap { $0.isEmpty ? nil : $0 } ?? "4GiB"
        guard let size = SizeArgument(argument: text) else { throw ValidationError("AOMI_ARCHIVE_CACHE_SIZE=\(text) is not a size (512MiB, 4GiB)") }
        return try ObjectCache(folder: folder, limitBytes: size.bytes, client: client)
    }

    /// After a command that rewrote or deleted objects: the cache drops its copies of them,
    /// so it keeps nothing that a forget erased (failures only logged: the store is done).
    func pruneCache(command: String) async {
        do { _ = try await files().archiveObjects() } catch { printError("\(command): the local cache was not checked against the store: \(error)") }
    }

    /// Names each archive object whose key no local path can stand for (an empty, `.` or `..`
    /// segment): `command` did not read it. True when there was one (the exit status is then 1).
    func sayRefused(_ keys: [String], command: String) -> Bool {
        for key in keys {
            printError("\(command): s3://\(location.bucket)/\(key) is not read: no local path can stand for its key (an empty, . or .. segment)")
        }
        return !keys.isEmpty
    }

    /// The store's files for a reader.
    func files() throws -> StoreFiles {
        StoreFiles(client: client, location: location, cache: try cache())
    }
}
