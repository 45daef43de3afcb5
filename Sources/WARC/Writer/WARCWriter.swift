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
    public let configuration: WARCWriterConfiguration
    private let deflater: GzipMemberDeflater
    private var file: OpenFile?
    private var sequence = 0
    private var isClosed = false
    private var lastSync = ContinuousClock.now
    /// The files this writer has closed, oldest first.
    public private(set) var closedFiles: [String] = []
    /// Uncompressed and stored bytes of every record written so far.
    public private(set) var uncompressedBytes: Int64 = 0
    public private(set) var storedBytes: Int64 = 0

    private struct OpenFile {
        let descriptor: Int32
        let path: String
        let warcinfoID: String
        var size: Int64
    }

    public init(configuration: WARCWriterConfiguration) throws(WARCWriterError) {
        self.configuration = configuration
        self.deflater = try GzipMemberDeflater(level: configuration.compressionLevel)
    }

    /// The final name of the file now being written, if one is open.
    public var currentPath: String? { file?.path }

    /// Completes, compresses and appends one record.
    @discardableResult
    public func write(_ record: WARCRecord) throws(WARCWriterError) -> WARCWriteReceipt {
        try write([record])[0]
    }

    /// Writes records in order, all into the same file (rotation waits for the last one), with
    /// one system call: each record is still its own gzip member.
    @discardableResult
    public func write(_ records: [WARCRecord]) throws(WARCWriterError) -> [WARCWriteReceipt] {
        guard !isClosed else { throw .closed(directory: configuration.directory) }
        var current = try currentOrNextFile()
        var receipts: [WARCWriteReceipt] = []
        receipts.reserveCapacity(records.count)
        var members: [UInt8] = []
        var plainBytes: Int64 = 0
        for record in records {
            var completed = record.completed()
            if configuration.linksWarcinfo, !completed.headers.contains(WARCField.warcinfoID), completed.type != .warcinfo {
                completed.headers.append(WARCField.warcinfoID, current.warcinfoID)
            }
            let plain = completed.serialized()
            let member = try deflater.compress(plain)
            receipts.append(WARCWriteReceipt(path: current.path, offset: current.size + Int64(members.count), length: Int64(member.count), record: completed))
            members += member
            plainBytes += Int64(plain.count)
        }
        do {
            try Self.writeAll(members, at: current.size, to: current)
            try syncIfDue(current)
        } catch {
            cutBack(current)
            throw error
        }
        current.size += Int64(members.count)
        storedBytes += Int64(members.count)
        uncompressedBytes += plainBytes
        file = current
        if current.size >= configuration.rotationBytes {
            // The records are in the file; a failed final fsync or rename is for repair to finish.
            try? closeCurrentFile()
        }
        return receipts
    }

    /// Truncates the file back to its last complete record after a failed write; when even
    /// that fails, gives the file up (it stays `.open`) so nothing is appended behind a tear.
    private func cutBack(_ current: OpenFile) {
        if ftruncate(current.descriptor, off_t(current.size)) == 0 { return }
        Glibc.close(current.descriptor)
        file = nil
    }

    private func currentOrNextFile() throws(WARCWriterError) -> OpenFile {
        if let file { return file }
        return try openNextFile()
    }

    /// Forces everything written so far to disk.
    public func sync() throws(WARCWriterError) {
        guard let file else { return }
        try Self.fsync(file)
        lastSync = .now
    }

    /// Closes the current file (renaming it to its final name) and takes no more records.
    @discardableResult
    public func close() throws(WARCWriterError) -> [String] {
        guard !isClosed else { return closedFiles }
        isClosed = true
        try closeCurrentFile()
        return closedFiles
    }

    /// Closes the current file now; the next record starts a new one.
    public func rotate() throws(WARCWriterError) {
        try closeCurrentFile()
    }

    private func append(_ record: WARCRecord, to file: inout OpenFile) throws(WARCWriterError) -> WARCWriteReceipt {
        let plain = record.serialized()
        let member = try deflater.compress(plain)
        try Self.writeAll(member, at: file.size, to: file)
        let receipt = WARCWriteReceipt(path: file.path, offset: file.size, length: Int64(member.count), record: record)
        file.size += Int64(member.count)
        uncompressedBytes += Int64(plain.count)
        storedBytes += Int64(member.count)
        return receipt
    }

    private func openNextFile() throws(WARCWriterError) -> OpenFile {
        try Self.makeDirectory(configuration.directory)
        let (descriptor, path) = try createUniqueFile()
        var opened = OpenFile(descriptor: descriptor, path: path, warcinfoID: WARCRecordID.make(), size: 0)
        let openPath = path + WARCWriterConfiguration.openSuffix
        let info = WARCRecord(
            type: .warcinfo,
            headers: [
                (WARCField.recordID, opened.warcinfoID),
                (WARCField.filename, (path as NSString).lastPathComponent),
                (WARCField.contentType, WARCValue.warcFieldsContentType),
            ],
            block: Self.warcFieldsBlock(configuration.warcinfo)
        )
        do {
            _ = try append(info.completed(), to: &opened)
        } catch {
            // A file that cannot even hold its warcinfo is removed, not left empty or torn.
            Glibc.close(descriptor)
            unlink(openPath)
            throw error
        }
        file = opened
        return opened
    }

    private func createUniqueFile() throws(WARCWriterError) -> (Int32, String) {
        let stamp = WARCDate.now().compactString
        var attempts = 0
        while true {
            let number = nextNumber()
            attempts += 1
            let name = "\(stamp)-\(configuration.writerID)-\(String(format: "%05d", number)).warc.gz"
            let path = (configuration.directory as NSString).appendingPathComponent(name)
            let openPath = path + WARCWriterConfiguration.openSuffix
            if access(path, F_OK) == 0 { continue }
            let descriptor = open(openPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if descriptor >= 0 { return (descriptor, path) }
            let code = errno
            guard code == EEXIST, attempts < 99_999 else { throw .io(path: openPath, operation: "create", errno: code) }
        }
    }

    /// The number in the next file's name: from the shared numbering, or this writer's own.
    private func nextNumber() -> Int {
        if let shared = configuration.sequence { return shared.next() }
        sequence += 1
        return sequence
    }

    /// Syncs, closes and renames the current file. The descriptor is closed whatever fails.
    private func closeCurrentFile() throws(WARCWriterError) {
        guard let current = file else { return }
        file = nil
        let synced = Glibc.fsync(current.descriptor) == 0 ? nil : errno
        Glibc.close(current.descriptor)
        let openPath = current.path + WARCWriterConfiguration.openSuffix
        if let synced {
            throw .io(path: openPath, operation: "fsync", errno: synced)
        }
        guard rename(openPath, current.path) == 0 else {
            throw .io(path: openPath, operation: "rename to \(current.path)", errno: errno)
        }
        closedFiles.append(current.path)
        configuration.onFileClosed?(current.path)
    }

    private func syncIfDue(_ file: OpenFile) throws(WARCWriterError) {
        switch configuration.fsync {
        case .everyRecord:
            try Self.fsync(file)
        case let .interval(interval):
            let now = ContinuousClock.now
            if now - lastSync >= interval {
                try Self.fsync(file)
                lastSync = now
            }
        case .never:
            break
        }
    }

    private static func fsync(_ file: OpenFile) throws(WARCWriterError) {
        guard Glibc.fsync(file.descriptor) == 0 else {
            throw .io(path: file.path + WARCWriterConfiguration.openSuffix, operation: "fsync", errno: errno)
        }
    }

    private static func writeAll(_ bytes: [UInt8], at offset: Int64, to file: OpenFile) throws(WARCWriterError) {
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

    deinit {
        if let file { Glibc.close(file.descriptor) }
    }
}
