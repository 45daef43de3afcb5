import Glibc

/// A new version of an existing file, written beside it and put in its place only when whole:
/// records go to `PATH.replacing`, `commit()` syncs that file, renames it over `PATH` and
/// syncs the folder. A crash at any point leaves either the old file or the new one whole
/// under `PATH`, at worst with a leftover `PATH.replacing` that `removeLeftover` deletes.
/// Whoever rewrites a file holds its `WARCRewriteLock` meanwhile.
public final class WARCReplacementFile {
    /// The file being replaced.
    public let path: String
    /// Where the new version is written until it is committed.
    public let temporaryPath: String
    /// Bytes written so far.
    public private(set) var size: Int64 = 0

    private var descriptor: Int32
    private let deflater: GzipMemberDeflater
    private let compressed: Bool

    public static let suffix = ".replacing"

    /// Starts a new version of `path` (gzip members at `level` for a `.warc.gz`, plain
    /// records for a `.warc`); a leftover of an earlier attempt is overwritten.
    public init(replacing path: String, level: Int32) throws(WARCWriterError) {
        self.path = path
        self.temporaryPath = path + Self.suffix
        self.compressed = !path.hasSuffix(".warc")
        self.deflater = try GzipMemberDeflater(level: level)
        let opened = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard opened >= 0 else { throw .io(path: temporaryPath, operation: "create", errno: errno) }
        descriptor = opened
    }

    deinit {
        abandon()
    }

    /// Appends one record (one gzip member); returns its offset and stored length.
    @discardableResult
    public func write(_ record: WARCRecord) throws(WARCWriterError) -> (offset: Int64, length: Int64) {
        guard descriptor >= 0 else { throw .io(path: temporaryPath, operation: "write after commit", errno: EBADF) }
        let serialized = record.serialized()
        let bytes = compressed ? try deflater.compress(serialized) : serialized
        let offset = size
        try append(stored: bytes)
        return (offset, Int64(bytes.count))
    }

    /// Appends bytes already stored as they are (whole gzip members or plain records copied
    /// from another file).
    public func append(stored bytes: [UInt8]) throws(WARCWriterError) {
        guard descriptor >= 0 else { throw .io(path: temporaryPath, operation: "write after commit", errno: EBADF) }
        try WARCWriter.writeAll(bytes, at: size, descriptor: descriptor, path: temporaryPath)
        size += Int64(bytes.count)
    }

    /// Makes the new version durable where it is (`fsync`), before `rename()`.
    public func sync() throws(WARCWriterError) {
        guard descriptor >= 0, fsync(descriptor) == 0 else { throw .io(path: temporaryPath, operation: "fsync", errno: errno) }
    }

    /// Puts the synced new version in place of the old file and syncs the folder.
    public func rename() throws(WARCWriterError) {
        guard descriptor >= 0 else { throw .io(path: temporaryPath, operation: "rename", errno: EBADF) }
        close(descriptor)
        descriptor = -1
        guard Glibc.rename(temporaryPath, path) == 0 else { throw .io(path: temporaryPath, operation: "rename to \(path)", errno: errno) }
        Self.syncFolder(of: path)
    }

    /// `sync()` then `rename()`.
    public func commit() throws(WARCWriterError) {
        try sync()
        try rename()
    }

    /// Drops the new version: the old file stays as it was.
    public func abandon() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporaryPath)
    }

    /// Deletes what an interrupted replacement of `path` left beside it; true when there was
    /// one. Taking `path`'s rewrite lock is what tells that its writer is gone.
    @discardableResult
    public static func removeLeftover(of path: String, holding lock: WARCRewriteLock) -> Bool {
        precondition(lock.path == path, "the rewrite lock of \(lock.path) does not cover \(path)")
        return unlink(path + suffix) == 0
    }

    /// Syncs the folder of `path`, so that a rename or an unlink in it is durable.
    public static func syncFolder(of path: String) {
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let handle = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard handle >= 0 else { return }
        fsync(handle)
        close(handle)
    }
}
