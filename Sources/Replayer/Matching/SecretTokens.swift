import AomiAPI
import Crypto
import Foundation

/// Turns a secret a client sends into the redaction token the recorder would have written
/// (`redacted:<first 16 hex of HMAC-SHA256(key, value)>`), with the archive root's key, so
/// that a replay can compare App keys and secret parameters without the archive holding them.
public struct SecretTokens: Sendable {
    private let key: SymmetricKey?
    /// The key's public id (first 16 hex of its SHA-256), as written in each `warcinfo`.
    public let keyID: String?

    /// No key: tokens cannot be checked, and a recorded token matches any value.
    public static let unavailable = SecretTokens(key: nil)

    init(key: SymmetricKey?) {
        self.key = key
        keyID = key.map { key in key.withUnsafeBytes { SHA256.hash(data: Array($0)).prefix(8).map { String(format: "%02x", $0) }.joined() } }
    }

    /// Reads `<root>/.aomi-archive-key` when it exists; never creates one.
    public static func load(root: String) -> SecretTokens {
        let path = (root as NSString).appendingPathComponent(".aomi-archive-key")
        guard let data = FileManager.default.contents(atPath: path), data.count >= 16 else { return .unavailable }
        return SecretTokens(key: SymmetricKey(data: data))
    }

    public static func isToken(_ value: String) -> Bool { value.hasPrefix("redacted:") }

    public func token(for value: String) -> String? {
        guard let key else { return nil }
        let mac = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: key)
        return "redacted:" + mac.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a value sent now matches a recorded value, which may be a redaction token.
    func matches(recorded: String, sent: String) -> Bool {
        if recorded == sent { return true }
        guard Self.isToken(recorded) else { return false }
        guard let token = token(for: sent) else { return true }
        return token == recorded
    }

    /// JSON documents equal, a recorded token standing for the secret it replaced.
    func matches(recorded: JSONValue, sent: JSONValue) -> Bool {
        switch (recorded, sent) {
        case let (.string(left), .string(right)): return matches(recorded: left, sent: right)
        case let (.array(left), .array(right)):
            return left.count == right.count && zip(left, right).allSatisfy { matches(recorded: $0, sent: $1) }
        case let (.object(left), .object(right)):
            return left.count == right.count && left.allSatisfy { name, value in right[name].map { matches(recorded: value, sent: $0) } ?? false }
        default: return recorded == sent
        }
    }
}
