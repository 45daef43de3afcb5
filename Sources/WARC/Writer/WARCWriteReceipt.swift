/// Where a record was stored, as the writer completed it (ids, dates and digests filled in).
public struct WARCWriteReceipt: Sendable {
    /// The file's name once closed (while it is written, the same with `.open` appended).
    public var path: String
    public var offset: Int64
    /// Bytes of the gzip member in the file.
    public var length: Int64
    public var record: WARCRecord
}
