import ArgumentParser
import Foundation
import ObjectStore

/// `--archives s3://BUCKET/PREFIX`: the store and its client, checked once (credentials,
/// bucket, endpoint) so that a wrong setting is said in the store's words before any work.
struct StoreArchives {
    let location: StoreLocation
    let client: ObjectStoreClient

    /// The store `archives` names, or nil when it names a folder.
    static func named(_ archives: String, command: String) async throws -> StoreArchives? {
        guard StoreLocation.isStore(archives) else { return nil }
        do {
            let location = try StoreLocation(archives)
            let client = try ObjectStoreClient(location: location)
            try await client.checkAccess()
            return StoreArchives(location: location, client: client)
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
}
