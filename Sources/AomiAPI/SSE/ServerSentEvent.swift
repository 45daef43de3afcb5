/// One Server-Sent-Events message as it travels: its raw bytes (blank line included) and, for
/// events that carry data, the joined `data:` lines. Comments (`: ping`) have no data.
public struct ServerSentEvent: Sendable, Hashable {
    public var raw: [UInt8]
    public var data: String?

    public init(raw: [UInt8], data: String?) {
        self.raw = raw
        self.data = data
    }

    /// A `data:` event with a JSON payload, framed as the backend sends it.
    public static func json(_ payload: some Encodable) -> ServerSentEvent {
        let text = String(decoding: JSONCoding.encode(payload), as: UTF8.self)
        return ServerSentEvent(raw: Array("data: \(text)\n\n".utf8), data: text)
    }

    /// A comment, which clients ignore (keep-alive).
    public static func comment(_ text: String) -> ServerSentEvent {
        ServerSentEvent(raw: Array(": \(text)\n\n".utf8), data: nil)
    }

    public var isComment: Bool { data == nil }

    /// The data decoded as an update event, when it is one.
    public var updateEvent: UpdateEvent? {
        data.flatMap { try? JSONCoding.decode(UpdateEvent.self, from: Array($0.utf8)) }
    }
}
