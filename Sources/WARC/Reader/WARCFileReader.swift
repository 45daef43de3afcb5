/// Reads the records of a `.warc.gz` (one or more records per gzip member) or a plain
/// `.warc` file one at a time, in constant memory whatever the file size. The records inside
/// a bundle (`WARCBundle`, what compaction writes) are read as records of their own.
///
/// Damage never stops it: a truncated or corrupt member, garbage between members, an empty
/// or foreign file, or an oversized header is reported as a `WARCDamage` event with file,
/// offset and reason, and reading goes on at the next intact gzip member (or, in a plain
/// file, the next `WARC/` line) when there is one.
public final class WARCFileReader: Sequence, IteratorProtocol {
    public let path: String
    public let options: WARCReaderOptions
    /// Whether the file is read as gzip members (false: a plain `.warc`).
    public private(set) var isCompressed = true
    /// Bytes of record data produced so far (inflated, for a `.warc.gz`).
    public private(set) var uncompressedBytes: Int64 = 0
    /// The offset just after the last intact record so far: where a torn file is cut.
    public private(set) var endOfLastRecord: Int64
    /// The file's size when it was opened; bytes appended later are not read.
    public var fileSize: Int64 { window.fileSize }
    /// Whether every record of the gzip members read so far has been returned: a reader that
    /// stops here can start again at `endOfLastRecord` without skipping a record of a bundle.
    public var isAtMemberBoundary: Bool { pendingIndex >= pending.count }

    private let window: FileWindow
    private let inflater = GzipMemberInflater()
    private let decoder = GzipMemberDecoder()
    private var output: UnsafeMutableRawBufferPointer
    private var position: Int64
    private var pending: [WARCReadEvent] = []
    private var pendingIndex = 0
    private var started = false
    private var finished = false

    private static let gzipMagic: [UInt8] = [0x1F, 0x8B, 0x08]
    private static let versionMarker = Array("WARC/1.".utf8)

    public init(path: String, options: WARCReaderOptions = WARCReaderOptions()) throws(WARCReadError) {
        self.path = path
        self.options = options
        self.window = try FileWindow(path: path, capacity: Swift.max(options.windowBytes, options.maxHeaderBytes + 8))
        self.output = .allocate(byteCount: 256 * 1024, alignment: 16)
        self.position = options.startOffset
        self.endOfLastRecord = options.startOffset
    }

    deinit {
        output.deallocate()
    }

    /// Reads a whole file: its records and its damage, in file order.
    public static func readAll(path: String, options: WARCReaderOptions = WARCReaderOptions()) throws(WARCReadError) -> (records: [WARCStoredRecord], damage: [WARCDamage]) {
        var records: [WARCStoredRecord] = []
        var damage: [WARCDamage] = []
        for event in try WARCFileReader(path: path, options: options) {
            switch event {
            case let .record(record): records.append(record)
            case let .damage(found): damage.append(found)
            }
        }
        return (records, damage)
    }

    public func next() -> WARCReadEvent? {
        while true {
            if pendingIndex < pending.count {
                defer { pendingIndex += 1 }
                return pending[pendingIndex]
            }
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            if finished { return nil }
            if !started {
                started = true
                if let damage = detectFormat() {
                    finished = true
                    return .damage(damage)
                }
            }
            if isCompressed { readNextMember() } else { readNextPlainRecord() }
        }
    }

    // MARK: Format

    private func detectFormat() -> WARCDamage? {
        let head = window.bytes(at: position, minimum: 5)
        if head.isEmpty {
            return position == 0 ? damage(at: 0, length: 0, .emptyFile, "the file is empty") : nil
        }
        if WARCHeaderParser.startsWithVersion(head) || (path.hasSuffix(".warc") && !(head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B)) {
            isCompressed = false
        }
        return nil
    }

    // MARK: gzip members

    private enum MemberOutcome {
        case complete(end: Int64, produced: Int)
        case tooLarge(end: Int64)
        case truncated(produced: Int)
        case corrupt(reason: String)
    }

    private func readNextMember() {
        let start = position
        let head = window.bytes(at: start, minimum: 3)
        if head.isEmpty {
            finished = true
            return
        }
        guard Self.hasGzipMagic(head) else {
            skipToNextMember(
                from: start, firstCandidate: start, kind: start == 0 ? .notWARC : .garbage,
                reason: start == 0 ? "the file does not start with a gzip member or a WARC record" : "bytes between gzip members")
            return
        }
        if let (end, produced) = decodeWholeMember(at: start) {
            addRecords(ofMemberAt: start, length: end - start, produced: produced)
            position = end
            return
        }
        switch inflateMember(at: start) {
        case let .complete(end, produced):
            addRecords(ofMemberAt: start, length: end - start, produced: produced)
            position = end
        case let .tooLarge(end):
            pending.append(
                .damage(
                    damage(
                        at: start, length: end - start, .recordTooLarge,
                        "the member inflates to more than \(options.maxRecordBytes) bytes")))
            position = end
        case let .truncated(produced):
            let hint = produced > 0 && WARCHeaderParser.startsWithVersion(UnsafeRawBufferPointer(output)) ? " inside a record" : ""
            pending.append(
                .damage(
                    damage(
                        at: start, length: fileSize - start, .truncatedMember,
                        "the file ends\(hint) before this gzip member does (a torn write)")))
            finished = true
        case let .corrupt(reason):
            skipToNextMember(from: start, firstCandidate: start + 1, kind: .corruptMember, reason: "the gzip member does not inflate: \(reason)")
        }
    }

    /// Reports damage from `start` up to the next gzip member that inflates to a WARC record,
    /// and continues there (or stops at the end of the file).
    private func skipToNextMember(from start: Int64, firstCandidate: Int64, kind: WARCDamage.Kind, reason: String) {
        let next = nextIntactMember(from: firstCandidate)
        let end = next ?? fileSize
        var kind = kind
        var reason = reason
        if kind == .notWARC, next != nil {
            kind = .garbage
            reason = "bytes before the first gzip member"
        }
        pending.append(.damage(damage(at: start, length: end - start, kind, reason)))
        if let next { position = next } else { finished = true }
    }

    /// The offset of the next gzip header at or after `offset` whose member starts with a WARC
    /// version line (a torn member at the end of the file counts: it is reported as such).
    private func nextIntactMember(from offset: Int64) -> Int64? {
        var candidate = offset
        while let found = window.firstOffset(of: Self.gzipMagic, from: candidate) {
            switch inflateMember(at: found, stopAfter: Self.versionMarker.count) {
            case let .complete(_, produced), let .truncated(produced):
                if produced >= Self.versionMarker.count, WARCHeaderParser.startsWithVersion(UnsafeRawBufferPointer(output)) {
                    return found
                }
            case .tooLarge:
                return found
            case .corrupt:
                break
            }
            candidate = found + 1
        }
        return nil
    }

    /// The fast path: decodes the member at `start` in one call when it is intact and held
    /// whole in the window. Nil sends the member to the streaming inflater, which tells why.
    private func decodeWholeMember(at start: Int64) -> (end: Int64, produced: Int)? {
        var input = window.bytes(at: start, minimum: Self.fastPathInput)
        var widened = false
        while true {
            switch decoder.decode(input: input, output: output) {
            case let .decoded(consumed, produced):
                return produced > options.maxRecordBytes ? nil : (start + Int64(consumed), produced)
            case .outputTooSmall:
                guard output.count < options.maxRecordBytes else { return nil }
                growOutput()
            case .failed:
                let seesRestOfFile = Int64(input.count) >= fileSize - start
                guard !widened, !seesRestOfFile, input.count < window.capacity else { return nil }
                widened = true
                input = window.bytes(at: start, minimum: window.capacity)
            }
        }
    }

    private static let fastPathInput = 256 * 1024

    /// Inflates the member at `start` into `output`. With `stopAfter`, stops as soon as that
    /// many bytes are out (a probe) and reports them as `.complete`.
    private func inflateMember(at start: Int64, stopAfter: Int? = nil) -> MemberOutcome {
        inflater.reset()
        var offset = start
        var produced = 0
        var discarding = false
        while true {
            let input = window.bytes(at: offset)
            if input.isEmpty { return .truncated(produced: discarding ? 0 : produced) }
            if produced == output.count {
                if produced >= options.maxRecordBytes {
                    discarding = true
                    produced = 0
                } else {
                    growOutput()
                }
            }
            let space = UnsafeMutableRawBufferPointer(rebasing: output[produced...])
            switch inflater.inflate(input: input, output: space) {
            case let .memberEnded(consumed, made):
                offset += Int64(consumed)
                produced += made
                return discarding ? .tooLarge(end: offset) : .complete(end: offset, produced: produced)
            case let .needsMore(consumed, made):
                if consumed == 0, made == 0, space.count > 0 {
                    return .corrupt(reason: "inflate made no progress")
                }
                offset += Int64(consumed)
                produced += made
                if let stopAfter, !discarding, produced >= stopAfter {
                    return .complete(end: offset, produced: produced)
                }
            case let .corrupt(reason):
                return .corrupt(reason: reason)
            }
        }
    }

    private func growOutput() {
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.min(output.count * 2, Swift.max(options.maxRecordBytes, output.count + 1)), alignment: 16)
        bigger.baseAddress!.copyMemory(from: output.baseAddress!, byteCount: output.count)
        output.deallocate()
        output = bigger
    }

    /// Parses the records in an inflated member; each is reported at the member's offset.
    private func addRecords(ofMemberAt offset: Int64, length: Int64, produced: Int) {
        uncompressedBytes += Int64(produced)
        let content = UnsafeRawBufferPointer(rebasing: output[0..<produced])
        let stopped = WARCRecordRun.parse(content, maxHeaderBytes: options.maxHeaderBytes) { _, version, headers, block in
            if options.readsInsideBundles, WARCBundle.isBundle(headers) {
                addRecords(ofBundle: block, memberAt: offset, length: length)
            } else {
                let record = WARCRecord(version: version, headers: headers, block: Array(block))
                pending.append(.record(WARCStoredRecord(record: record, file: path, offset: offset, length: length)))
            }
            endOfLastRecord = offset + length
            return true
        }
        if let (position, stop) = stopped {
            let place = position == 0 ? "" : " (at byte \(position) of the member's content)"
            pending.append(.damage(damage(at: offset, length: length, stop.kind, stop.reason(in: "member") + place)))
        }
    }

    /// The records inside a bundle, each at the member's offset and its position in the
    /// bundle; damage inside it is reported at the member with the position.
    private func addRecords(ofBundle block: UnsafeRawBufferPointer, memberAt offset: Int64, length: Int64) {
        let (records, damage) = WARCBundle.unpack(block, maxHeaderBytes: options.maxHeaderBytes)
        for (position, record) in records {
            pending.append(.record(WARCStoredRecord(record: record, file: path, offset: offset, length: length, positionInBundle: position)))
        }
        if let damage {
            pending.append(.damage(self.damage(at: offset, length: length, damage.kind, damage.reason + " (at byte \(damage.position) of the bundle's block)")))
        }
    }

    // MARK: plain .warc

    private func readNextPlainRecord() {
        let start = Self.skippingLineEnds(window, from: position)
        let head = window.bytes(at: start, minimum: options.maxHeaderBytes + 4)
        if head.isEmpty {
            finished = true
            return
        }
        switch WARCHeaderParser.parse(head, maxHeaderBytes: options.maxHeaderBytes) {
        case let .parsed(version, headers, headerLength, contentLength):
            readPlainBlock(at: start, version: version, headers: headers, headerLength: headerLength, contentLength: contentLength)
        case .incomplete:
            pending.append(.damage(damage(at: start, length: fileSize - start, .truncatedRecord, "the file ends inside a record header")))
            finished = true
        case .tooLong:
            skipToNextPlainRecord(from: start, kind: .headerTooLong, reason: "no end of the header block within \(options.maxHeaderBytes) bytes")
        case let .malformed(reason):
            let kind: WARCDamage.Kind =
                start == 0 && !WARCHeaderParser.startsWithVersion(head) ? .notWARC : (WARCHeaderParser.startsWithVersion(head) ? .malformedHeader : .garbage)
            skipToNextPlainRecord(from: start, kind: kind, reason: reason)
        }
    }

    private func readPlainBlock(at start: Int64, version: String, headers: WARCHeaders, headerLength: Int, contentLength: Int) {
        let blockStart = start + Int64(headerLength)
        let blockEnd = blockStart + Int64(contentLength)
        guard blockEnd <= fileSize else {
            pending.append(
                .damage(
                    damage(
                        at: start, length: fileSize - start, .truncatedRecord,
                        "the file ends \(blockEnd - fileSize) bytes before the record's block does")))
            finished = true
            return
        }
        let end = Self.skippingLineEnds(window, from: blockEnd, atMost: 4)
        guard contentLength <= options.maxRecordBytes else {
            pending.append(.damage(damage(at: start, length: end - start, .recordTooLarge, "the block is \(contentLength) bytes, over the limit of \(options.maxRecordBytes)")))
            position = end
            return
        }
        var block = [UInt8]()
        block.reserveCapacity(contentLength)
        var offset = blockStart
        while offset < blockEnd {
            let chunk = window.bytes(at: offset)
            let take = Swift.min(chunk.count, Int(blockEnd - offset))
            block.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<take]))
            offset += Int64(take)
        }
        uncompressedBytes += end - start
        if options.readsInsideBundles, WARCBundle.isBundle(headers) {
            block.withUnsafeBytes { addRecords(ofBundle: $0, memberAt: start, length: end - start) }
        } else {
            pending.append(.record(WARCStoredRecord(record: WARCRecord(version: version, headers: headers, block: block), file: path, offset: start, length: end - start)))
        }
        endOfLastRecord = end
        position = end
    }

    private func skipToNextPlainRecord(from start: Int64, kind: WARCDamage.Kind, reason: String) {
        let next = window.firstOffset(of: [0x0A] + Self.versionMarker, from: start + 1).map { $0 + 1 }
        let end = next ?? fileSize
        pending.append(.damage(damage(at: start, length: end - start, kind, reason)))
        if let next { position = next } else { finished = true }
    }

    // MARK: Helpers

    private func damage(at offset: Int64, length: Int64, _ kind: WARCDamage.Kind, _ reason: String) -> WARCDamage {
        WARCDamage(file: path, offset: offset, length: length, kind: kind, reason: reason)
    }

    private static func hasGzipMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 3 && bytes[0] == 0x1F && bytes[1] == 0x8B && bytes[2] == 0x08
    }

    private static func skippingLineEnds(_ window: FileWindow, from offset: Int64, atMost limit: Int = .max) -> Int64 {
        var offset = offset
        var skipped = 0
        while skipped < limit {
            let bytes = window.bytes(at: offset)
            guard let first = bytes.first, first == 0x0D || first == 0x0A else { break }
            offset += 1
            skipped += 1
        }
        return offset
    }
}
