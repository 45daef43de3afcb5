import Foundation

/// The synchronous core of a `WARCWriter`: appends records to `.warc.gz` files, each record
/// its own gzip member, with the writer's naming, rotation, syncing and cutting back of failed
/// writes. Not thread-safe: its owner serialises calls (the `WARCWriter` actor, or the
/// recorder's archive under its lock, which writes from the event loop without a hop).
public final class WARCFileAppender {
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

    struct OpenFile {
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
        let current = try currentOrNextFile()
        var prepared = WARCPreparedRecords()
        for record in records {
            var completed = record.completed()
            if configuration.linksWarcinfo, !completed.headers.contains(WARCField.warcinfoID), completed.type != .warcinfo {
                completed.headers.append(WARCField.warcinfoID, current.warcinfoID)
            }
            try prepared.add(completed, deflater: deflater)
        }
        return try append(prepared, to: current)
    }

    /// Appends records prepared off this appender (completed and compressed by
    /// `WARCPreparedRecords`, on any thread), so that only the write itself is serialised.
    /// They do not name the file's `warcinfo` whatever `linksWarcinfo` says.
    @discardableResult
    public func append(_ prepared: WARCPreparedRecords) throws(WARCWriterError) -> [WARCWriteReceipt] {
        guard !isClosed else { throw .closed(directory: configuration.directory) }
        return try append(prepared, to: try currentOrNextFile())
    }

    private func append(_ prepared: WARCPreparedRecords, to opened: OpenFile) throws(WARCWriterError) -> [WARCWriteReceipt] {
        var current = opened
        let members = prepared.members
        let plainBytes = prepared.plainBytes
        var receipts: [WARCWriteReceipt] = []
        receipts.reserveCapacity(prepared.records.count)
        for (index, record) in prepared.records.enumerated() {
            receipts.append(
                WARCWriteReceipt(path: current.path, offset: current.size + Int64(prepared.starts[index]), length: Int64(prepared.lengths[index]), record: record))
        }
        do {
            try WARCWriter.writeAll(members, at: current.size, to: current)
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
        try WARCWriter.writeAll(member, at: file.size, to: file)
        let receipt = WARCWriteReceipt(path: file.path, offset: file.size, length: Int64(member.count), record: record)
        file.size += Int64(member.count)
        uncompressedBytes += Int64(plain.count)
        storedBytes += Int64(member.count)
        return receipt
    }

    private func openNextFile() throws(WARCWriterError) -> OpenFile {
        try WARCWriter.makeDirectory(configuration.directory)
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
            block: WARCWriter.warcFieldsBlock(configuration.warcinfo)
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

    deinit {
        if let file { Glibc.close(file.descriptor) }
    }
}
