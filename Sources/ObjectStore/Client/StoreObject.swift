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
}
