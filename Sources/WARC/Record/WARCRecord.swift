/// One WARC record: its type, its header fields in order, and its content block.
///
/// `WARC-Type` lives in `headers` like every other field; `type` reads it. The writer fills in
/// `WARC-Record-ID`, `WARC-Date`, `Content-Length` and the digests when they are missing.
public struct WARCRecord: Sendable, Equatable {
    /// The WARC version line of a record, without the line end.
    public var version: String
    public var headers: WARCHeaders
    public var block: [UInt8]

    public init(version: String = "WARC/1.1", headers: WARCHeaders, block: [UInt8] = []) {
        self.version = version
        self.headers = headers
        self.block = block
    }

    /// A record of `type` with the given fields after `WARC-Type`.
    public init(type: WARCRecordType, headers: [(String, String)] = [], block: [UInt8] = []) {
        var fields = WARCHeaders([(WARCField.type, type.rawValue)])
        for (name, value) in headers { fields.append(name, value) }
        self.init(headers: fields, block: block)
    }

    public var type: WARCRecordType {
        WARCRecordType(rawValue: headers[WARCField.type] ?? "")
    }

    public var recordID: String? { headers[WARCField.recordID] }
    public var targetURI: String? { headers[WARCField.targetURI] }
    public var date: String? { headers[WARCField.date] }
    public var contentType: String? { headers[WARCField.contentType] }

    /// The record's segment number, for segmented records (`WARC-Segment-Number`).
    public var segmentNumber: Int? { headers[WARCField.segmentNumber].flatMap { Int($0) } }

    /// Whether the block is an HTTP message (`application/http`).
    public var holdsHTTPMessage: Bool {
        guard let contentType else { return false }
        return contentType.lowercased().hasPrefix("application/http")
    }
}
