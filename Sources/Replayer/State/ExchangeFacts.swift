import AomiAPI
import AomiArchive
import WARC

/// What matching reads of one recorded exchange, kept for every exchange a replay serves:
/// the recorded request itself is not kept (its key is in the script's queues).
struct ExchangeFacts: Sendable {
    /// `GET /api/updates`: a stream, which does not count as a request for SSE causality.
    var isUpdates: Bool
    /// A snapshot served again past the recording is drained of its system events
    /// (`SessionSnapshot.drainingPaths`).
    var drains: Bool
    /// The recorded request's volatile values (`MatchRules.volatileValues`), which the
    /// client's values are aliased to.
    var volatileValues: [String: String]
    var requestDate: WARCDate
    /// From the request to its answer, as recorded (the recorded clock waits it).
    var answerDelay: Duration

    /// The header fields an App key is sent in.
    static let keyFields = [AomiHeader.appKey, AomiHeader.apiKey]

    /// The recorded App key field of `request`, when the recording holds one as a redaction token.
    static func appKey(of request: RecordedRequest) -> HTTPMessageHead.Field? {
        request.fields.first { field in keyFields.contains { WARCHeaders.namesMatch($0, field.name) } }.flatMap { SecretTokens.isToken($0.value) ? $0 : nil }
    }

    init(_ exchange: RecordedExchange, rules: MatchRules) {
        let request = exchange.request
        isUpdates = exchange.isUpdates
        drains = SessionSnapshot.drainingPaths.contains(request.path)
        volatileValues = rules.volatileValues(target: request.target, body: request.body)
        requestDate = request.date
        answerDelay = .microseconds(max(0, exchange.answer.head.date.microsecondsSince1970 - request.date.microsecondsSince1970))
    }
}
