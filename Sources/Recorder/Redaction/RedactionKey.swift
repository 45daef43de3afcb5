import Crypto
import Foundation
import WARC

/// The HMAC key behind redaction tokens, kept in `<archive root>/.aomi-archive-key` (mode
/// 0600) so that the same secret gives the same token across runs, and the replayer can check
/// an App key against a recording without the archive holding it.
public struct RedactionKey: Sendable {
    public let key: SymmetricKey
    /// A short public id of the key (first 16 hex of its SHA-256), written in each `warcinfo`.
    public let id: String

    public static let fileName = ".aomi-archive-key"

    public init(bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
        id = SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads the key of an archive root, creating it (32 random bytes, mode 0600) on first use.
    public static func loadOrCreate(root: String) throws -> RedactionKey {
        let path = (root as NSString).appendingPathComponent(fileName)
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count >= 16 else { throw RecorderError.badKeyFile(path: path, reason: "shorter than 16 bytes") }
            return RedactionKey(bytes: Array(data))
        }
        try WARCWriter.makeDirectory(root)
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        // Written whole beside its place, then linked into it: a recorder starting at the same
        // time never reads a key file half written, and the first key linked is everyone's.
        let draft = path + ".\(UUID().uuidString.prefix(8)).new"
        let descriptor = open(draft, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw RecorderError.badKeyFile(path: draft, reason: String(cString: strerror(errno))) }
        defer { unlink(draft) }
        let written = write(descriptor, bytes, bytes.count)
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count else { throw RecorderError.badKeyFile(path: draft, reason: "short write") }
        guard synced == 0 else { throw RecorderError.badKeyFile(path: draft, reason: "fsync failed") }
        guard link(draft, path) == 0 else {
            if errno == EEXIST { return try loadOrCreate(root: root) }
            throw RecorderError.badKeyFile(path: path, reason: String(cString: strerror(errno)))
        }
        return RedactionKey(bytes: bytes)
    }
}
