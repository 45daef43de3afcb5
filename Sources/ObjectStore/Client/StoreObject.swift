/// An object as a listing or a `HEAD` shows it.
public struct StoreObject: Sendable, Hashable {
    public var key: String
    public var size: Int64
    /// Without quotes. For an object uploaded in one `PUT`, the MD5 of its bytes in hex.
    public var etag: String

    public init(key: String, size: Int64, etag: String) {
        self.key = key
        self.size = size
        self.etag = etag
    }

    /// The MD5 of the bytes when the ETag is one (an object of one `PUT`); nil for a
    /// multipart object (`HASH-PARTS`) or an ETag the store made otherwise.
    public var plainMD5: String? {
        etag.utf8.count == 32 && etag.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) ? etag : nil
    }
}
