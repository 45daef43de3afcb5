/// Limits and starting point of a `WARCFileReader`.
public struct WARCReaderOptions: Sendable {
    /// A header block longer than this is damage (`header-too-long`), not a reason to buffer.
    public var maxHeaderBytes: Int
    /// A record (uncompressed) larger than this is skipped and reported (`record-too-large`).
    public var maxRecordBytes: Int
    /// Where to start reading: 0, or the offset of a record boundary (an index continuing a file).
    public var startOffset: Int64
    /// How many bytes of the file are held at once.
    public var windowBytes: Int

    public init(maxHeaderBytes: Int = 64 * 1024, maxRecordBytes: Int = 256 << 20, startOffset: Int64 = 0, windowBytes: Int = 4 << 20) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxRecordBytes = maxRecordBytes
        self.startOffset = startOffset
        self.windowBytes = windowBytes
    }
}
