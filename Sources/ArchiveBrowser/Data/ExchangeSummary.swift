import AomiArchive
import WARC

/// One exchange of a session as the time line and the exchange list show it.
public struct ExchangeSummary: Sendable, Codable, Equatable {
    /// What the exchange was for, which decides its row on the time line.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case chat, system, state, updates, sessions, other

        init(method: String, path: String) {
            switch path {
            case "/api/chat": self = .chat
            case "/api/system", "/api/events", "/api/interrupt": self = .system
            case "/api/state": self = .state
            case "/api/updates": self = .updates
            default: self = path.hasPrefix("/api/sessions") ? .sessions : .other
            }
        }
    }

    /// `Aomi-Exchange-Seq`: the exchange's number in its session (its page's address).
    public var sequence: Int
    public var kind: Kind
    public var method: String
    public var target: String
    public var status: Int
    /// Request and answer times (`WARC-Date`, UTC).
    public var requested: String
    public var answered: String
    public var durationMilliseconds: Int
    public var payloadDigest: String?
    /// Arrival time of each SSE event, for a stream.
    public var eventTimes: [String]
    /// How a stream ended (`upstream-closed`, `client-closed`, …).
    public var streamEnd: String?

    enum CodingKeys: String, CodingKey {
        case sequence, kind, method, target, status, requested, answered
        case durationMilliseconds = "duration_ms"
        case payloadDigest = "payload_digest"
        case eventTimes = "event_times"
        case streamEnd = "stream_end"
    }

    init(_ exchange: RecordedExchange) {
        sequence = exchange.sequence
        kind = Kind(method: exchange.request.method, path: exchange.request.path)
        method = exchange.request.method
        target = exchange.request.target
        let head = exchange.answer.head
        status = head.status
        requested = exchange.request.date.description
        payloadDigest = head.payloadDigest
        var end = head.date
        if case let .stream(stream) = exchange.answer {
            end = stream.events.last?.date ?? head.date
            eventTimes = stream.events.map(\.date.description)
            streamEnd = stream.end?.rawValue
        } else {
            eventTimes = []
            streamEnd = nil
        }
        answered = end.description
        durationMilliseconds = Int(max(0, end.microsecondsSince1970 - exchange.request.date.microsecondsSince1970) / 1000)
    }
}
