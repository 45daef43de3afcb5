import Crypto
import Foundation

/// `ROOT/.forgotten.log`: one line per removal that `forget` or `prune` finished: when, what
/// kind, a keyed hash of the id (never the id), and what went. The hash is the first 16 hex of
/// HMAC-SHA256 under the root's redaction key, so whoever holds an id can check that it was
/// forgotten, and the log names no one to whoever does not.
public struct ForgottenLog: Sendable {
    public static let fileName = ".forgotten.log"
    public let root: String
    private let key: SymmetricKey

    public init(root: String, key: SymmetricKey) {
        self.root = root
        self.key = key
    }

    public var path: String { (root as NSString).appendingPathComponent(Self.fileName) }

    /// The keyed hash of `id` for a removal of `kind`.
    public func hash(kind: String, id: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data("\(kind):\(id)".utf8), using: key).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Appends one line (`O_APPEND`, one write, synced).
    public func append(_ fields: [(String, String)]) throws(RetentionError) {
        let line = fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ") + "\n"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .log(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(line.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw .log(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
