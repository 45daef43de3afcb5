import Crypto
import Foundation
import ObjectStore
import Recorder

/// What a store keeps of its removals, as a root keeps it in files, but in objects (a store
/// has no append): the key of the log's hashes (`PREFIX/.forget-key`), the markers of forgets
/// in progress (`PREFIX/.forgetting/HASH`), and one object per log line
/// (`PREFIX/.forgotten/TIME-KIND-RANDOM.log`).
///
/// The key is the store's own, made by the first forget on it: the recorders' redaction keys
/// never leave their roots. Whoever can read the bucket can read the key, and so can check
/// whether an id they hold was forgotten; the log still names no one.
struct StoreJournal: Sendable {
    let client: ObjectStoreClient
    let location: StoreLocation

    var keyKey: String { location.key(for: ".forget-key") }

    func markerKey(_ hash: String) -> String { location.key(for: ".forgetting/" + hash) }

    /// The store's key; created (`If-None-Match: *`, so two first forgets agree) when
    /// `create` and there is none yet.
    func key(create: Bool) async throws(StoreError) -> [UInt8]? {
        if try await client.head(key: keyKey) != nil { return try await client.get(key: keyKey) }
        guard create else { return nil }
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        do {
            try await client.put(key: keyKey, bytes: bytes, condition: .creating)
            return bytes
        } catch  where error.isConflict {
            return try await client.get(key: keyKey)
        }
    }

    /// Writes `key` into `root` as the root's key, so that `ForgottenLog` hashes with it.
    static func install(key: [UInt8], in root: String) throws(RetentionError) {
        let path = (root as NSString).appendingPathComponent(RedactionKey.fileName)
        guard FileManager.default.createFile(atPath: path, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw .log(path: path, reason: "could not be written")
        }
    }

    func hasMarker(_ hash: String) async throws(StoreError) -> Bool {
        try await client.head(key: markerKey(hash)) != nil
    }

    func writeMarker(_ hash: String) async throws(StoreError) {
        try await client.put(key: markerKey(hash), bytes: [])
    }

    func removeMarker(_ hash: String) async throws(StoreError) {
        try await client.delete(key: markerKey(hash))
    }

    /// Writes one log line as its own object.
    @discardableResult
    func append(_ fields: [(String, String)], kind: String) async throws(StoreError) -> String {
        let line = fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ") + "\n"
        let time = fields.first { $0.0 == "time" }?.1 ?? "\(Int(Date().timeIntervalSince1970))"
        let key = location.key(for: ".forgotten/\(time)-\(kind)-\(UUID().uuidString.prefix(8).lowercased()).log")
        try await client.put(key: key, bytes: Array(line.utf8), condition: .creating)
        return key
    }
}
