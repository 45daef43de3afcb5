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
    /// Whether a bundle (`WARCBundle`) is read as the records it holds (true) or as itself.
    public var readsInsideBundles: Bool

    public init(
        maxHeaderBytes: Int = 64 * 1024, maxRecordBytes: Int = 256 << 20, startOffset: Int64 = 0, windowBytes: Int = 4 << 20,
        readsInsideBundles: Bool = true
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxRecordBytes = maxRecordBytes
        self.startOffset = startOffset
        self.windowBytes = windowBytes
        self.readsInsideBundles = readsInsideBundles
    }
}
