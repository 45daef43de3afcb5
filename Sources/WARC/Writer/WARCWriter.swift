import Foundation

/// Appends records to `.warc.gz` files, each record as its own gzip member.
///
/// One actor per output: records from any number of tasks are written whole, one after
/// the other, never interleaved. A file is written as `NAME.warc.gz.open` and renamed to
/// `NAME.warc.gz` when it is closed: at rotation (past `rotationBytes`) or by `close()`.
/// Each file starts with a `warcinfo` record; files are only created when a record comes.
///
/// A write that fails (a full disk, a quota, an I/O error) is cut back: the file is truncated
/// to the end of its last complete record before the error is thrown, so the next records go
/// right behind good ones and the file never holds a torn member in its middle. A file whose
/// tail cannot be cut is left as `.open` for repair and the next record starts a new file.
/// No failure leaves a descriptor open or an empty file behind.
public actor WARCWriter {
    private let appender: WARCFileAppender

    public nonisolated let configuration: WARCWriterConfiguration

    public init(configuration: WARCWriterConfiguration) throws(WARCWriterError) {
        self.configuration = configuration
        appender = try WARCFileAppender(configuration: configuration)
    }

    /// The final name of the file now being written, if one is open.
    public var currentPath: String? { appender.currentPath }
    /// The files this writer has closed, oldest first.
    public var closedFiles: [String] { appender.closedFiles }
    /// Uncompressed and stored bytes of every record written so far.
    public var uncompressedBytes: Int64 { appender.uncompressedBytes }
    public var storedBytes: Int64 { appender.storedBytes }

    /// Completes, compresses and appends one record.
    @discardableResult
    public func write(_ record: WARCRecord) throws(WARCWriterError) -> WARCWriteReceipt {
        try appender.write(record)
    }

    /// Writes records in order, all into the same file (rotation waits for the last one), with
    /// one system call: each record is still its own gzip member.
    @discardableResult
    public func write(_ records: [WARCRecord]) throws(WARCWriterError) -> [WARCWriteReceipt] {
        try appender.write(records)
    }

    /// Forces everything written so far to disk.
    public func sync() throws(WARCWriterError) {
        try appender.sync()
    }

    /// Closes the current file (renaming it to its final name) and takes no more records.
    @discardableResult
    public func close() throws(WARCWriterError) -> [String] {
        try appender.close()
    }

    /// Closes the current file now; the next record starts a new one.
    public func rotate() throws(WARCWriterError) {
        try appender.rotate()
    }
}

extension WARCWriter {
    static func writeAll(_ bytes: [UInt8], at offset: Int64, to file: WARCFileAppender.OpenFile) throws(WARCWriterError) {
        try writeAll(bytes, at: offset, descriptor: file.descriptor, path: file.path + WARCWriterConfiguration.openSuffix)
    }

    /// Writes all of `bytes` at `offset` (positioned, so a failed write leaves the file
    /// offset where the next attempt expects it).
    static func writeAll(_ bytes: [UInt8], at offset: Int64, descriptor: Int32, path: String) throws(WARCWriterError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { pointer in
                pwrite(descriptor, pointer.baseAddress! + written, pointer.count - written, off_t(offset) + off_t(written))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", errno: errno)
            }
            if result == 0 { throw .io(path: path, operation: "write", errno: ENOSPC) }
            written += result
        }
    }

    /// Creates `directory` and its parents. Safe when other processes create the same folders
    /// at the same time (several recorders on one root): a folder that appears meanwhile is
    /// simply there.
    public static func makeDirectory(_ directory: String) throws(WARCWriterError) {
        if let code = createFolders(directory) {
            throw .io(path: directory, operation: "create folder", errno: code)
        }
    }

    /// The folder holding `path` (`""` for a name without one). Not `NSString`'s
    /// `deletingLastPathComponent`: Foundation on Linux traps on a one-letter name such as the
    /// `A` of `A/.recorders`.
    static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// Creates `directory` and its parents; nil when it is there, or why it cannot be.
    private static func createFolders(_ directory: String) -> Int32? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) { return isDirectory.boolValue ? nil : ENOTDIR }
        let parent = Self.parent(of: directory)
        if !parent.isEmpty, parent != directory, let code = createFolders(parent) { return code }
        if mkdir(directory, 0o755) == 0 { return nil }
        let code = errno
        guard code == EEXIST, FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return code }
        return isDirectory.boolValue ? nil : ENOTDIR
    }

    /// A `warcinfo` block: `name: value` lines, as `application/warc-fields`.
    static func warcFieldsBlock(_ fields: WARCHeaders) -> [UInt8] {
        var block: [UInt8] = []
        for field in fields.fields {
            block.append(contentsOf: "\(field.name): \(WARCRecord.sanitizedFieldValue(field.value))\r\n".utf8)
        }
        return block
    }

}
