import AomiArchive

/// What the replay answers, as a value: the status line, the end-to-end header fields and the
/// body (or, for an updates stream, the head whose events follow). `Server/` turns it into
/// bytes, adding `Content-Length` or chunked framing and the CORS fields of the connection.
public struct ReplayAnswer: Sendable {
    public var status: Int
    public var reason: String
    /// Recorded fields (hop-by-hop ones are dropped when written) and the replay's own
    /// (`X-Aomi-Replay`).
    public var fields: [HTTPMessageHead.Field]
    public var body: [UInt8]
    /// The head of a stream: no body, events follow as chunks.
    public var isStreamHead: Bool

    public init(status: Int, reason: String, fields: [HTTPMessageHead.Field], body: [UInt8] = [], isStreamHead: Bool = false) {
        self.status = status
        self.reason = reason
        self.fields = fields
        self.body = body
        self.isStreamHead = isStreamHead
    }

    /// A JSON answer made by the replay itself (misses, rejected keys).
    static func json(status: Int, reason: String, body: [UInt8], marker: String) -> ReplayAnswer {
        ReplayAnswer(status: status, reason: reason, fields: [.init(name: "Content-Type", value: "application/json"), Self.marker(marker)], body: body)
    }

    /// `X-Aomi-Replay`: what answered (`hit`, `miss`, `rejected`, `unreadable`).
    static func marker(_ value: String) -> HTTPMessageHead.Field {
        HTTPMessageHead.Field(name: "X-Aomi-Replay", value: value)
    }
}
