import AomiAPI
import GRDB
import WARC

/// A record with what can be worked out without the index: its fields, method or status, and
/// for a snapshot the byte ranges and hashes of its messages. Prepared on the reading thread,
/// so that the thread writing to SQLite only compares hashes and decodes what changed.
struct PreparedRecord {
    let stored: WARCStoredRecord
    let fields: RecordFields
    let method: String?
    let status: Int?
    let path: String?
    let snapshot: PreparedSnapshot?
    /// The values of its `records` row for SQLite, built here so that the writing thread only binds them.
    let rowArguments: StatementArguments

    static let snapshotPaths: Set<String> = [AomiPath.state, AomiPath.chat, "/api/interrupt", "/api/system"]

    /// `previousSnapshots` holds the last snapshot read of each session in this file: a
    /// snapshot's messages repeat the one before it up to where the thread grew, and that part
    /// is not scanned again.
    init(_ stored: WARCStoredRecord, fileID: Int64, previousSnapshots: inout [String: PreparedSnapshot]) {
        self.stored = stored
        let record = stored.record
        fields = RecordFields(record.headers)
        method = record.type == .request ? Self.method(of: record.block) : nil
        status = record.type == .response || record.type == .revisit ? Self.status(of: record.block) : nil
        path = fields.targetURI.map { QueryString.path(of: QueryString.target(ofURI: $0)) }
        if record.type == .response, fields.segmentNumber == nil, status == 200, let path, Self.snapshotPaths.contains(path),
            let payload = record.httpPayload
        {
            let prepared = PreparedSnapshot(Array(payload), previous: fields.session.flatMap { previousSnapshots[$0] })
            if let session = fields.session { previousSnapshots[session] = prepared }
            snapshot = prepared
        } else {
            snapshot = nil
        }
        rowArguments = [
            fileID, stored.offset, stored.length, record.type.rawValue, fields.recordID, fields.date, method, fields.targetURI, status,
            fields.payloadDigest, fields.session, fields.wallet, fields.exchangeSeq, fields.capture, fields.refersTo, fields.concurrentTo,
            fields.segmentOrigin, fields.segmentNumber, fields.streamEnd, stored.positionInBundle,
        ]
    }
}

extension PreparedRecord {
    /// The method of a request block (its first token).
    static func method(of block: [UInt8]) -> String? {
        guard let space = block.prefix(16).firstIndex(of: 0x20) else { return nil }
        return String(decoding: block[..<space], as: UTF8.self)
    }

    /// The status code of a response block (`HTTP/1.1 200 OK`).
    static func status(of block: [UInt8]) -> Int? {
        guard block.count >= 12, block[8] == 0x20 else { return nil }
        var code = 0
        for byte in block[9..<12] {
            guard (0x30...0x39).contains(byte) else { return nil }
            code = code * 10 + Int(byte - 0x30)
        }
        return code
    }
}

/// A snapshot's parts found by scanning, not decoding: messages (range and hash), system
/// events and the title.
struct PreparedSnapshot {
    let payload: [UInt8]
    var messages: [(range: Range<Int>, hash: Int64)]?
    /// Where the `messages` array is, so that the next snapshot can reuse what it shares.
    var messagesRange: Range<Int>?
    var systemEvents: [[UInt8]] = []
    var title: String?

    init(_ payload: [UInt8], previous: PreparedSnapshot? = nil) {
        self.payload = payload
        var messages: [(range: Range<Int>, hash: Int64)]?
        var messagesRange: Range<Int>?
        var systemEvents: [[UInt8]] = []
        var title: String?
        payload.withUnsafeBufferPointer { bytes in
            let scanner = JSONScanner(bytes: bytes)
            let continued = previous.flatMap { Self.continuation(of: $0, scanner: scanner) }
            let knownEnds = continued.map { [$0.start: $0.end] } ?? [:]
            guard let values = scanner.topLevelValues(for: ["messages", "system_events", "title"], knownEnds: knownEnds) else { return }
            if let range = values["messages"] {
                messagesRange = range
                if let continued, continued.start == range.lowerBound {
                    messages = continued.reused + continued.rest.map { ($0, scanner.hash($0)) }
                } else if let elements = scanner.elements(of: range) {
                    messages = elements.map { ($0, scanner.hash($0)) }
                }
            }
            if let range = values["title"] { title = scanner.string(range) }
            if let range = values["system_events"], let elements = scanner.elements(of: range) {
                systemEvents = elements.map { Array(UnsafeBufferPointer(rebasing: bytes[$0])) }
            }
        }
        self.messages = messages
        self.messagesRange = messagesRange
        self.systemEvents = systemEvents
        self.title = title
    }

    /// The messages of this snapshot as the previous snapshot of its session continued: the
    /// ones repeated byte for byte (ranges moved, hashes kept) and the rest, scanned.
    private static func continuation(
        of previous: PreparedSnapshot, scanner: JSONScanner
    )
        -> (start: Int, end: Int, reused: [(range: Range<Int>, hash: Int64)], rest: [Range<Int>])?
    {
        guard let previousRange = previous.messagesRange, let previousMessages = previous.messages,
            let start = scanner.valueStart(ofKey: "messages")
        else { return nil }
        let common = previous.payload.withUnsafeBufferPointer { scanner.commonLength(from: start, with: $0, from: previousRange.lowerBound) }
        guard common > 0 else { return nil }
        let shift = start - previousRange.lowerBound
        let reused = previousMessages.prefix { $0.range.upperBound - previousRange.lowerBound <= common }
            .map { (range: ($0.range.lowerBound + shift)..<($0.range.upperBound + shift), hash: $0.hash) }
        guard let rest = scanner.remainingElements(from: reused.last?.range.upperBound ?? start + 1) else { return nil }
        return (start, rest.end, reused, rest.elements)
    }
}
