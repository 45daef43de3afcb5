/// How a `WARCWriter` names, compresses, syncs and rotates its files.
public struct WARCWriterConfiguration: Sendable {
    /// When written records are forced to disk with `fsync`.
    public enum FsyncPolicy: Sendable, Equatable {
        /// After every record: nothing acknowledged is lost on power failure; slowest.
        case everyRecord
        /// At most once per interval, on the next write after it has passed, and on close.
        case interval(Duration)
        /// Only on close; the operating system decides the rest.
        case never
    }

    /// The folder the files go into; created when missing.
    public var directory: String
    /// Part of every file name, so that several writers can share a folder
    /// (`<yyyyMMdd'T'HHmmss'Z'>-<writerID>-<seq>.warc.gz`).
    public var writerID: String
    /// Numbering shared with other writers (one per folder of a root); nil numbers this
    /// writer's files on their own, from 1.
    public var sequence: WARCFileNumbers?
    /// A file is closed and the next one started once it reaches this many bytes.
    public var rotationBytes: Int64
    /// libdeflate level: 0 stores (each record still its own gzip member), 1 (fastest) to 12
    /// (smallest); 6, the default, compresses like gzip -6.
    public var compressionLevel: Int32
    public var fsync: FsyncPolicy
    /// Fields of the `warcinfo` record that starts each file (`software`, `format`, …).
    public var warcinfo: WARCHeaders
    /// Whether every other record names the file's `warcinfo` in `WARC-Warcinfo-ID`. The field
    /// is optional (the `warcinfo` record comes first in each file) and costs about 30 bytes
    /// per compressed record, which matters for small records such as revisits.
    public var linksWarcinfo: Bool
    /// Called with the final path of each file once it is closed and renamed (rotation,
    /// `close()`), on the writer's executor: hand the path on, do not work on it here.
    public var onFileClosed: (@Sendable (String) -> Void)?

    public init(
        directory: String,
        writerID: String,
        sequence: WARCFileNumbers? = nil,
        rotationBytes: Int64 = 256 << 20,
        compressionLevel: Int32 = 6,
        fsync: FsyncPolicy = .interval(.seconds(1)),
        warcinfo: WARCHeaders = WARCHeaders([("software", "aomi-archive"), ("format", "WARC File Format 1.1")]),
        linksWarcinfo: Bool = true,
        onFileClosed: (@Sendable (String) -> Void)? = nil
    ) {
        self.directory = directory
        self.writerID = writerID
        self.sequence = sequence
        self.rotationBytes = rotationBytes
        self.compressionLevel = compressionLevel
        self.fsync = fsync
        self.warcinfo = warcinfo
        self.linksWarcinfo = linksWarcinfo
        self.onFileClosed = onFileClosed
    }

    /// The suffix of a file that is still being written.
    public static let openSuffix = ".open"
}
