/// The start line and header fields of an HTTP/1.1 message held in a `request`, `response`
/// or `revisit` record's block, as the client or server sent them.
public struct HTTPMessageHead: Sendable, Equatable {
    /// One header field, in the order and spelling it was sent.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var startLine: String
    public var fields: [Field]

    public init(startLine: String, fields: [Field]) {
        self.startLine = startLine
        self.fields = fields
    }

    /// Parses the head at the start of `block` (up to its blank line); nil when there is none.
    public init?(block: [UInt8]) {
        guard let length = WARCRecord.httpHeadLength(of: block) else { return nil }
        let lines = block[..<length].split(separator: 0x0A, omittingEmptySubsequences: true).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }.filter { !$0.isEmpty }
        guard let first = lines.first else { return nil }
        startLine = first
        fields = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            return Field(name: String(line[..<colon]), value: String(value.reversed().drop { $0 == " " || $0 == "\t" }.reversed()))
        }
    }

    /// The first value of a field, by case-insensitive name.
    public func value(_ name: String) -> String? {
        let lowered = name.lowercased()
        return fields.first { $0.name.lowercased() == lowered }?.value
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
