import WARC

/// The start line and header fields of an HTTP/1.1 message held in a `request`, `response`
/// or `revisit` record's block, as the client or server sent them.
public struct HTTPMessageHead: Sendable, Equatable {
    /// One header field, in the order and spelling it was sent (the same `Name: value` pair as a WARC header's).
    public typealias Field = WARCHeaders.Field

    public var startLine: String
    public var fields: [Field]

    public init(startLine: String, fields: [Field]) {
        self.startLine = startLine
        self.fields = fields
    }

    /// Parses the head at the start of `block` (up to its blank line); nil when there is none.
    public init?(block: [UInt8]) {
        guard let length = WARCRecord.httpHeadLength(of: block) else { return nil }
        var startLine: String?
        var fields: [Field] = []
        block.withUnsafeBufferPointer { bytes in
            var lineStart = 0
            while lineStart < length {
                var lineEnd = lineStart
                while lineEnd < length, bytes[lineEnd] != 0x0A { lineEnd += 1 }
                var contentEnd = lineEnd
                if contentEnd > lineStart, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                if contentEnd > lineStart {
                    if startLine == nil {
                        startLine = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<contentEnd]), as: UTF8.self)
                    } else if let field = Self.field(bytes, lineStart, contentEnd) {
                        fields.append(field)
                    }
                }
                lineStart = lineEnd + 1
            }
        }
        guard let startLine else { return nil }
        self.startLine = startLine
        self.fields = fields
    }

    /// `Name: value` in `bytes[start..<end]`, the value without surrounding blanks.
    private static func field(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Field? {
        var colon = start
        while colon < end, bytes[colon] != UInt8(ascii: ":") { colon += 1 }
        guard colon < end else { return nil }
        var valueStart = colon + 1
        var valueEnd = end
        while valueStart < valueEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        return Field(
            name: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<colon]), as: UTF8.self),
            value: String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self))
    }

    /// The first value of a field, by case-insensitive name.
    public func value(_ name: String) -> String? {
        fields.first { WARCHeaders.namesMatch($0.name, name) }?.value
    }

    /// Method and target of a request line (`GET /api/state?x=1 HTTP/1.1`).
    public var requestLine: (method: String, target: String)? {
        let parts = startLine.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// Status code and reason phrase of a status line (`HTTP/1.1 200 OK`).
    public var statusLine: (status: Int, reason: String)? {
        let parts = startLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        return (status, parts.count > 2 ? String(parts[2]) : "")
    }
}
