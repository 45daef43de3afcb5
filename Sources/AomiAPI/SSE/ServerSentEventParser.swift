/// Splits an SSE byte stream into events as the real client does: on blank lines, `\r`
/// dropped, `data:` lines joined with newlines. Bytes may arrive in any chunking.
public struct ServerSentEventParser: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Adds bytes and returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        pending.append(contentsOf: bytes)
        var events: [ServerSentEvent] = []
        var start = 0
        var index = 0
        while index < pending.count {
            if let end = Self.blankLineEnd(pending, at: index) {
                events.append(Self.event(from: Array(pending[start..<end])))
                start = end
                index = end
            } else {
                index += 1
            }
        }
        pending.removeFirst(start)
        return events
    }

    /// Bytes received after the last complete event (an event cut by the end of the stream).
    public var remainder: [UInt8] { pending }

    /// If a blank line ends at `index` (`\n\n`, `\r\n\r\n` or `\n\r\n`), the offset after it.
    private static func blankLineEnd(_ bytes: [UInt8], at index: Int) -> Int? {
        guard bytes[index] == 0x0A, index + 1 < bytes.count else { return nil }
        if bytes[index + 1] == 0x0A { return index + 2 }
        if bytes[index + 1] == 0x0D, index + 2 < bytes.count, bytes[index + 2] == 0x0A { return index + 3 }
        return nil
    }

    private static func event(from raw: [UInt8]) -> ServerSentEvent {
        let text = String(decoding: raw.filter { $0 != 0x0D }, as: UTF8.self)
        var data: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where line.hasPrefix("data:") {
            var value = line.dropFirst(5)
            if value.first == " " { value = value.dropFirst() }
            data.append(value)
        }
        return ServerSentEvent(raw: raw, data: data.isEmpty ? nil : data.joined(separator: "\n"))
    }
}
