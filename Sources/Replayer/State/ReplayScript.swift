import AomiAPI
import AomiArchive
import Synchronization
import WARC

/// One recorded session prepared for serving: the queue of recorded answers for every
/// distinct request, each answer with what matching reads of its exchange, and its SSE events
/// placed causally. Immutable, shared by all clients. The recorded requests themselves are not
/// kept: a replay of a large root holds its answers and keys, not its exchanges.
final class ReplayScript: Sendable {
    /// One recorded exchange as a script is built from it.
    struct Entry: Sendable {
        var key: RequestKey
        var facts: ExchangeFacts
        /// The recorded App key field, when there is one (`ExchangeFacts.appKey(of:)`).
        var appKey: HTTPMessageHead.Field?

        /// What is served of the answer.
        var answer: ServedAnswer
        /// A stream's events, placed by the script's schedule.
        var stream: RecordedStream?
        /// `Aomi-Exchange-Seq`, for arrival order when a session's exchanges come from several folders.
        var sequence: Int
        /// `Aomi-Wallet`: a session's wallet is that of its first exchange that names one.
        var wallet: String?

        init(_ exchange: RecordedExchange, rules: MatchRules, interning fields: inout FieldInterner) {
            let request = exchange.request
            key = RequestKey(method: request.method, target: request.target, body: request.body, fields: request.fields, rules: rules)
            facts = ExchangeFacts(exchange, rules: rules)
            appKey = ExchangeFacts.appKey(of: request)
            answer = ServedAnswer(exchange.answer, interning: &fields)
            if case let .stream(stream) = exchange.answer { self.stream = stream }
            sequence = exchange.sequence
            wallet = exchange.wallet
        }
    }

    let id: String
    let wallet: String?
    /// Each recorded exchange's answer and what matching reads of it, in arrival order.
    let answers: [ServedAnswer]
    let facts: [ExchangeFacts]
    /// The recorded App key field of the exchanges that sent one, by index.
    let appKeys: [Int: HTTPMessageHead.Field]
    let queues: [RequestKey: [Int]]
    /// The recorded keys holding redaction tokens, by route: the only ones a sent key that is
    /// not equal to a recorded one can still match (its secrets against their tokens).
    private let keysWithTokensByRoute: [String: [RequestKey]]
    let events: [ScheduledEvent]
    /// Bodies served again past the recording, by exchange index (`repeatedBody(of:)`).
    private let keptRepeats = Mutex<[Int: [UInt8]]>([:])

    /// A script of `entries`, in arrival order.
    init(id: String, wallet: String?, entries: [Entry]) {
        self.id = id
        self.wallet = wallet
        var queues: [RequestKey: [Int]] = [:]
        var keysWithTokensByRoute: [String: [RequestKey]] = [:]
        var appKeys: [Int: HTTPMessageHead.Field] = [:]
        for (index, entry) in entries.enumerated() {
            if queues[entry.key] == nil, entry.key.holdsTokens { keysWithTokensByRoute[entry.key.route, default: []].append(entry.key) }
            queues[entry.key, default: []].append(index)
            if let appKey = entry.appKey { appKeys[index] = appKey }
        }
        self.queues = queues
        self.keysWithTokensByRoute = keysWithTokensByRoute
        self.appKeys = appKeys
        events = Self.schedule(entries)
        answers = entries.map(\.answer)
        facts = entries.map(\.facts)
    }

    /// When the session's first request arrived: fresh client sessions are aliased in this order.
    var firstSeen: WARCDate { facts.first?.requestDate ?? WARCDate(microsecondsSince1970: .max) }

    convenience init(session: RecordedSession, rules: MatchRules = MatchRules()) {
        var fields = FieldInterner()
        self.init(id: session.id, wallet: session.wallet, entries: session.exchanges.map { ReplayScript.Entry($0, rules: rules, interning: &fields) })
    }

    /// The recorded key a sent request matches: the same canonical key, or one whose
    /// redaction tokens stand for the secrets sent.
    func resolve(_ key: RequestKey, tokens: SecretTokens) -> RequestKey? {
        if queues[key] != nil { return key }
        return keysWithTokensByRoute[key.route]?.first { $0.matches(sent: key, tokens: tokens) }
    }

    /// Recorded keys in order of first use, for miss diagnostics.
    var orderedKeys: [RequestKey] {
        queues.sorted { $0.value[0] < $1.value[0] }.map(\.key)
    }

    /// Whether this session can answer `key` as the `position`-th request with that key.
    func canAnswer(_ key: RequestKey, position: Int, strict: Bool, tokens: SecretTokens) -> Bool {
        guard let recorded = resolve(key, tokens: tokens), let queue = queues[recorded] else { return false }
        return !strict || position < queue.count
    }

    /// The exchange answering the `position`-th request with `key`, by index: the recorded
    /// ones in order, then the last one again (`repeated`).
    func exchange(for key: RequestKey, position: Int, tokens: SecretTokens) -> (index: Int, repeated: Bool)? {
        guard let recorded = resolve(key, tokens: tokens), let queue = queues[recorded], let last = queue.last else { return nil }
        return (position < queue.count ? queue[position] : last, position >= queue.count)
    }

    /// The body of exchange `index` served again after its key's recorded answers are used up:
    /// a snapshot without its system events (the backend handed each out once), worked out the
    /// first time and kept, so a client polling past the recording costs a lookup per poll.
    /// Nil for a stream, or a body that can no longer be read.
    func repeatedBody(of index: Int) -> [UInt8]? {
        if let kept = keptRepeats.withLock({ $0[index] }) { return kept }
        guard case let .response(_, _, _, payload) = answers[index], let recorded = payload.loaded else { return nil }
        let body = facts[index].drains ? SessionSnapshot.withoutSystemEvents(recorded) ?? recorded : recorded
        keptRepeats.withLock { $0[index] = body }
        return body
    }

    /// Events of every recorded updates stream, in arrival order, each released once as many
    /// other requests had been made as before it was recorded.
    private static func schedule(_ entries: [Entry]) -> [ScheduledEvent] {
        let requestDates = entries.filter { !$0.facts.isUpdates }.map(\.facts.requestDate).sorted()
        var placed: [(date: WARCDate, order: Int, event: ScheduledEvent)] = []
        for entry in entries {
            guard let stream = entry.stream else { continue }
            for (index, event) in stream.events.enumerated() {
                let threshold = requestDates.partitioningIndex { $0 >= event.date }
                let since = threshold > 0 ? requestDates[threshold - 1] : entry.facts.requestDate
                let delay = Duration.microseconds(max(0, event.date.microsecondsSince1970 - since.microsecondsSince1970))
                let ends = index == stream.events.count - 1 && stream.endedByServer
                placed.append((event.date, placed.count, ScheduledEvent(bytes: event.bytes, threshold: threshold, delay: delay, endsStream: ends)))
            }
        }
        var events = placed.sorted { ($0.date, $0.order) < ($1.date, $1.order) }.map(\.event)
        // A later event may not need fewer requests than an earlier one: order is kept.
        var floor = 0
        for index in events.indices {
            floor = max(floor, events[index].threshold)
            events[index].threshold = floor
        }
        return events
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false then true.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
