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
    /// The values of its `records` row, built here so that the writing thread only binds them.
    let rowArguments: StatementArguments

    static let snapshotPaths: Set<String> = [AomiPath.state, AomiPath.chat, "/api/interrupt", "/api/system"]

    init(_ stored: WARCStoredRecord, fileID: Int64) {
        self.stored = stored
        let record = stored.record
        fields = RecordFields(record.headers)
        method = record.type == .request ? BatchLoader.firstToken(record.block) : nil
        status = record.type == .response || record.type == .revisit ? BatchLoader.status(record.block) : nil
        path = fields.targetURI.map(BatchLoader.path(of:))
        if record.type == .response, fields.segmentNumber == nil, status == 200, let path, Self.snapshotPaths.contains(path),
           let payload = record.httpPayload {
            snapshot = PreparedSnapshot(Array(payload))
        } else {
            snapshot = nil
        }
        rowArguments = [
            fileID, stored.offset, stored.length, record.type.rawValue, fields.recordID, fields.date, method, fields.targetURI, status,
            fields.payloadDigest, fields.session, fields.wallet, fields.exchangeSeq, fields.capture, fields.refersTo, fields.concurrentTo,
            fields.segmentOrigin, fields.segmentNumber, fields.streamEnd,
        ]
    }
}

/// A snapshot's parts found by scanning, not decoding: messages (range and hash), system
/// events and the title.
struct PreparedSnapshot {
    let payload: [UInt8]
    var messages: [(range: Range<Int>, hash: Int64)]?
    var systemEvents: [[UInt8]] = []
    var title: String?

    init(_ payload: [UInt8]) {
        self.payload = payload
        var messages: [(range: Range<Int>, hash: Int64)]?
        var systemEvents: [[UInt8]] = []
        var title: String?
        payload.withUnsafeBufferPointer { bytes in
            let scanner = JSONScanner(bytes: bytes)
            guard let values = scanner.topLevelValues(for: ["messages", "system_events", "title"]) else { return }
            if let range = values["messages"], let elements = scanner.elements(of: range) {
                messages = elements.map { ($0, scanner.hash($0)) }
            }
            if let range = values["title"], bytes[range.lowerBound] == UInt8(ascii: "\"") {
                title = try? JSONCoding.decode(String.self, from: UnsafeBufferPointer(rebasing: bytes[range]))
            }
            if let range = values["system_events"], let elements = scanner.elements(of: range) {
                systemEvents = elements.map { Array(UnsafeBufferPointer(rebasing: bytes[$0])) }
            }
        }
        self.messages = messages
        self.systemEvents = systemEvents
        self.title = title
    }
}
