/// Where archives are kept in an object store: `s3://BUCKET/PREFIX`. An archive file
/// `<wallet>/<file>` of a root is the object `PREFIX/<wallet>/<file>` of the bucket.
public struct StoreLocation: Sendable, Hashable, CustomStringConvertible {
    public let bucket: String
    /// Without a leading or trailing `/`; empty for the whole bucket.
    public let prefix: String

    /// Whether `text` names an object store rather than a folder.
    public static func isStore(_ text: String) -> Bool { text.hasPrefix("s3://") }

    public init(_ text: String) throws(StoreError) {
        guard Self.isStore(text) else { throw .invalidLocation(text, reason: "it does not start with s3://") }
        let rest = text.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        guard Self.isBucketName(bucket) else {
            throw .invalidLocation(text, reason: "\"\(bucket)\" is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)")
        }
        let prefix = rest.dropFirst(bucket.count).split(separator: "/", omittingEmptySubsequences: true)
        guard !prefix.contains(where: { $0 == "." || $0 == ".." }) else { throw .invalidLocation(text, reason: "the prefix may not hold . or .. segments") }
        self.bucket = bucket
        self.prefix = prefix.joined(separator: "/")
    }

    public init(bucket: String, prefix: String) {
        self.bucket = bucket
        self.prefix = prefix.split(separator: "/").joined(separator: "/")
    }

    /// The object key of `relativePath` (`<wallet>/<file>`, `/`-separated) under the prefix.
    public func key(for relativePath: String) -> String {
        prefix.isEmpty ? relativePath : prefix + "/" + relativePath
    }

    /// What the keys under the prefix start with (`PREFIX/`, or nothing for the whole bucket).
    public var listingPrefix: String { prefix.isEmpty ? "" : prefix + "/" }

    /// The path relative to the prefix of an object `key` listed under it.
    public func relativePath(of key: String) -> String? {
        if prefix.isEmpty { return key }
        guard key.hasPrefix(prefix + "/") else { return nil }
        return String(key.dropFirst(prefix.count + 1))
    }

    public var description: String { "s3://\(bucket)" + (prefix.isEmpty ? "" : "/" + prefix) }

    private static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count), let first = bytes.first, let last = bytes.last else { return false }
        func isLetterOrDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        return isLetterOrDigit(first) && isLetterOrDigit(last) && bytes.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}
