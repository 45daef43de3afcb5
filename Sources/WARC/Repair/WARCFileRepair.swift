import Foundation

/// Recovers files left by a writer that did not close them (a crash, a kill, a full disk):
/// cuts each file after its last complete record, rewrites a file with damage between good
/// records without the damaged bytes (`WARCReplacementFile`: beside it, synced, then renamed
/// over it), ends every segmented response that had no last segment, and renames
/// `NAME.warc.gz.open` to `NAME.warc.gz`.
public enum WARCFileRepair {
    /// Repairs one file. A file that is not `.open` is cut and completed in place.
    ///
    /// - Parameters:
    ///   - finalSegmentFields: extra fields for the segments added to end streams.
    ///   - removingUnreadable: a file with no intact record is removed (what the start-up
    ///     repair does with a torn `.open` file); false: it is left as it is and the repair
    ///     throws `WARCRepairRefusal.nothingIntact`, so a person decides.
    public static func repair(
        path: String,
        finalSegmentFields: [(String, String)] = [],
        compressionLevel: Int32 = 6,
        removingUnreadable: Bool = true
    ) throws -> WARCRepairReport {
        // No compaction or other repair rewrites the file meanwhile.
        guard let lock = try WARCRewriteLock(path: path) else {
            throw WARCWriterError.io(path: path, operation: "lock for repair (another compaction or repair is rewriting it)", errno: EWOULDBLOCK)
        }
        defer { lock.release() }
        var scan = try scanFile(path)
        let cutAt = scan.endOfLastRecord
        var report = WARCRepairReport(
            originalPath: path, repairedPath: nil, intactRecords: scan.records,
            bytesCut: scan.fileSize - cutAt, closedSegmentOrigins: [], damage: scan.damage)
        guard scan.records > 0 else {
            guard removingUnreadable else { throw WARCRepairRefusal.nothingIntact(path: path, bytes: scan.fileSize) }
            try removeFile(path)
            return report
        }
        if scan.damage.contains(where: { $0.offset < cutAt }) {
            guard scan.intactRanges.contains(where: { range in !scan.damage.contains { $0.offset == range.offset } }) else {
                // Every record shares its gzip member with damage: nothing whole is left.
                guard removingUnreadable else { throw WARCRepairRefusal.nothingIntact(path: path, bytes: scan.fileSize) }
                try removeFile(path)
                report.intactRecords = 0
                return report
            }
            let kept = try rewriteKeepingIntactRecords(path, scan: scan)
            report.bytesCut = scan.fileSize - kept.size
            report.intactRecords = kept.records
            scan = try scanFile(path)
        } else if cutAt < scan.fileSize {
            guard truncate(path, off_t(cutAt)) == 0 else {
                throw WARCWriterError.io(path: path, operation: "truncate to \(cutAt) bytes", errno: errno)
            }
        }
        let unfinished = scan.segments.filter { !$0.value.isComplete }.sorted { $0.value.order < $1.value.order }
        if !unfinished.isEmpty {
            let records = unfinished.map { closingSegment(originID: $0.key, stream: $0.value, extraFields: finalSegmentFields) }
            try append(records, to: path, compressed: scan.compressed, level: compressionLevel)
            report.closedSegmentOrigins = unfinished.map(\.key)
        }
        report.repairedPath = try renameIfOpen(path)
        return report
    }

    /// Repairs every `.open` file below `directory`, oldest name first.
    public static func repairOpenFiles(under directory: String, finalSegmentFields: [(String, String)] = []) throws -> [WARCRepairReport] {
        try openFiles(under: directory).map { try repair(path: $0, finalSegmentFields: finalSegmentFields) }
    }

    /// The `.open` files below `directory`, sorted by path.
    public static func openFiles(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".warc.gz" + WARCWriterConfiguration.openSuffix) || relative.hasSuffix(".warc" + WARCWriterConfiguration.openSuffix) {
                found.append((directory as NSString).appendingPathComponent(relative))
            }
        }
        return found.sorted()
    }

    // MARK: Scanning

    struct Stream {
        var order: Int
        var targetURI: String?
        var lastNumber: Int
        var totalLength: Int
        var isComplete: Bool
    }

    struct Scan {
        var records = 0
        /// Where each intact record (or gzip member of records) is stored, in file order.
        var intactRanges: [(offset: Int64, length: Int64)] = []
        var damage: [WARCDamage] = []
        var endOfLastRecord: Int64 = 0
        var fileSize: Int64 = 0
        var compressed = true
        var segments: [String: Stream] = [:]
    }

    static func scanFile(_ path: String) throws -> Scan {
        let reader = try WARCFileReader(path: path)
        var scan = Scan()
        for event in reader {
            switch event {
            case let .damage(damage):
                scan.damage.append(damage)
            case let .record(stored):
                scan.records += 1
                if scan.intactRanges.last?.offset != stored.offset { scan.intactRanges.append((stored.offset, stored.length)) }
                track(stored.record, in: &scan.segments)
            }
        }
        scan.endOfLastRecord = reader.endOfLastRecord
        scan.fileSize = reader.fileSize
        scan.compressed = reader.isCompressed
        return scan
    }

    /// The largest segment number a stream is taken to have reached: no writer makes two
    /// billion segments, and the closing segment's number (one more) must not overflow.
    static let maxSegmentNumber = Int(Int32.max)

    private static func track(_ record: WARCRecord, in segments: inout [String: Stream]) {
        guard let number = record.segmentNumber, (1...maxSegmentNumber).contains(number) else { return }
        if number == 1, record.type != .continuation, let id = record.recordID {
            segments[id] = Stream(
                order: segments.count, targetURI: record.targetURI, lastNumber: 1,
                totalLength: record.block.count, isComplete: record.headers.contains(WARCField.segmentTotalLength))
        } else if let origin = record.headers[WARCField.segmentOriginID], var stream = segments[origin] {
            stream.lastNumber = max(stream.lastNumber, number)
            stream.totalLength += record.block.count
            stream.isComplete = stream.isComplete || record.headers.contains(WARCField.segmentTotalLength)
            segments[origin] = stream
        }
    }

    // MARK: Writing

    /// Copies the intact records' bytes into a new file beside `path`, syncs it and renames it
    /// over `path`: an interruption leaves one of the two files whole. A gzip member that also
    /// held damage is left out with it.
    private static func rewriteKeepingIntactRecords(_ path: String, scan: Scan) throws -> (size: Int64, records: Int) {
        let damaged = Set(scan.damage.map(\.offset))
        let ranges = scan.intactRanges.filter { !damaged.contains($0.offset) }
        let source = open(path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { throw WARCWriterError.io(path: path, operation: "open", errno: errno) }
        defer { close(source) }
        let replacement = try WARCReplacementFile(replacing: path, level: 6)
        for range in ranges {
            try replacement.append(stored: try readRange(source, path: path, offset: range.offset, length: range.length))
        }
        try replacement.commit()
        return (replacement.size, scan.records - (scan.intactRanges.count - ranges.count))
    }

    private static func readRange(_ descriptor: Int32, path: String, offset: Int64, length: Int64) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Int(length))
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, $0.count - done, off_t(offset) + off_t(done)) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { throw WARCWriterError.io(path: path, operation: "read \(length) bytes at \(offset)", errno: result < 0 ? errno : EIO) }
            done += result
        }
        return bytes
    }

    private static func closingSegment(originID: String, stream: Stream, extraFields: [(String, String)]) -> WARCRecord {
        var fields: [(String, String)] = []
        if let target = stream.targetURI { fields.append((WARCField.targetURI, target)) }
        fields += [
            (WARCField.segmentOriginID, originID),
            (WARCField.segmentNumber, String(stream.lastNumber + 1)),
            (WARCField.segmentTotalLength, String(stream.totalLength)),
            (WARCField.truncated, "disconnect"),
        ]
        return WARCRecord(type: .continuation, headers: fields + extraFields).completed()
    }

    private static func append(_ records: [WARCRecord], to path: String, compressed: Bool, level: Int32) throws {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw WARCWriterError.io(path: path, operation: "open for append", errno: errno) }
        defer { close(descriptor) }
        let deflater = try GzipMemberDeflater(level: level)
        var end = Int64(lseek(descriptor, 0, SEEK_END))
        let start = end
        do {
            for record in records {
                let plain = record.serialized()
                let bytes = compressed ? try deflater.compress(plain) : plain
                try WARCWriter.writeAll(bytes, at: end, descriptor: descriptor, path: path)
                end += Int64(bytes.count)
            }
        } catch {
            _ = ftruncate(descriptor, off_t(start))
            throw error
        }
        guard fsync(descriptor) == 0 else { throw WARCWriterError.io(path: path, operation: "fsync", errno: errno) }
    }

    private static func renameIfOpen(_ path: String) throws -> String {
        guard path.hasSuffix(WARCWriterConfiguration.openSuffix) else { return path }
        let closed = String(path.dropLast(WARCWriterConfiguration.openSuffix.count))
        guard rename(path, closed) == 0 else {
            throw WARCWriterError.io(path: path, operation: "rename to \(closed)", errno: errno)
        }
        return closed
    }

    private static func removeFile(_ path: String) throws {
        guard unlink(path) == 0 else { throw WARCWriterError.io(path: path, operation: "remove", errno: errno) }
    }
}

/// A repair that was not done because it would only destroy.
public enum WARCRepairRefusal: Error, Sendable, CustomStringConvertible {
    /// Nothing in the file reads as a whole record: a repair would remove it.
    case nothingIntact(path: String, bytes: Int64)

    public var description: String {
        switch self {
        case let .nothingIntact(path, bytes):
            "\(path) holds no intact record in its \(bytes) bytes: a repair would remove it, so it is left as it is (give --discard-unreadable to remove it)"
        }
    }
}
