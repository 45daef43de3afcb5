/// A record as read from a file, with where it is stored.
public struct WARCStoredRecord: Sendable {
    public var record: WARCRecord
    public var file: String
    /// Byte offset of the record's gzip member (or, in a plain `.warc`, of the record).
    public var offset: Int64
    /// Bytes the record takes in the file: the gzip member's compressed length.
    public var length: Int64
    /// Where the record starts in the block of the bundle that holds it (`WARCBundle`); nil
    /// for a record stored on its own.
    public var positionInBundle: Int?
}

/// One step of reading a file: an intact record, or damage that was skipped.
public enum WARCReadEvent: Sendable {
    case record(WARCStoredRecord)
    case damage(WARCDamage)
}
