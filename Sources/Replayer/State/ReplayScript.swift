import AomiAPI
import AomiArchive
import Synchronization
import WARC

/// One recorded session prepared for serving: the queue of recorded answers for every
/// distinct request, and its SSE events placed causally. Immutable, shared by all clients.
final class ReplayScript: Sendable {
    let session: RecordedSession
    let queues: [RequestKey: [Int]]
    private let keysByRoute: [String: [RequestKey]]
    /// Recorded keys in order of first use, for miss diagnostics.
    let orderedKeys: [RequestKey]
    let events: [ScheduledEvent]
    /// Bodies served again past the recording, by exchange index (`repeatedBody(of:)`).
    private let keptRepeats = Mutex<[Int: [UInt8]]>([:])

    init(session: RecordedSession, rules: MatchRules = MatchRules()) {
        self.session = session
        var queues: [RequestKey: [Int]] = [:]
        var keysByRoute: [String: [RequestKey]] = [:]
        var orderedKeys: [RequestKey] = []
        for (index, exchange) in session.exchanges.enumerated() {
            let request = exchange.request
            let key = RequestKey(
                method: request.method, target: request.target, body: request.body,
                fields: request.fields, rules: rules)
            if queues[key] == nil {
                orderedKeys.append(key)
                keysByRoute[key.route, default: []].append(key)
            }
            queues[key, default: []].append(index)
        }
        self.queues = queues
        self.keysByRoute = keysByRoute
        self.orderedKeys = orderedKeys
        events = Self.schedule(session.exchanges)
    }

    var id: String { session.id }

    /// The recorded key a sent request matches: the same canonical key, or one whose
    /// redaction tokens stand for the secrets sent.
    func resolve(_ key: RequestKey, tokens: SecretTokens) -> RequestKey? {
        if queues[key] != nil { return key }
        return keysByRoute[key.route]?.first { $0.matches(sent: key, tokens: tokens) }
    }

    /// Whether this session can answer `key` as the `position`-th request with that key.
    func canAnswer(_ key: RequestKey, position: Int, strict: Bool, tokens: SecretTokens) -> Bool {
        guard let recorded = resolve(key, tokens: tokens), let queue = queues[recorded] else { return false }
        return !strict || position < queue.count
    }

    /// The exchange answering the `position`-th request with `key`: the recorded ones in
    /// order, then the last one again (`repeated`).
    func exchange(for key: RequestKey, position: Int, tokens: SecretTokens) -> (exchange: RecordedExchange, index: Int, repeated: Bool)? {
        guard let recorded = resolve(key, tokens: tokens), let queue = queues[recorded], let last = queue.last else { return nil }
        let index = position < queue.count ? queue[position] : last
        return (session.exchanges[index], index, position >= queue.count)
    }

    /// The body of exchange `index` served again after its key's recorded answers are used up:
    /// a snapshot without its system events (the backend handed each out once), worked out the
    /// first time and kept, so a client polling past the recording costs a lookup per poll.
    /// Nil for a stream, or a body that can no longer be read.
    func repeatedBody(of index: Int) -> [UInt8]? {
        if let kept = keptRepeats.withLock({ $0[index] }) { return kept }
        let exchange = session.exchanges[index]
        guard case let .response(response) = exchange.answer, let recorded = response.payload.loaded else { return nil }
        let drains = SessionSnapshot.drainingPaths.contains(exchange.request.path)
        let body = drains ? SessionSnapshot.withoutSystemEvents(recorded) ?? recorded : recorded
        keptRepeats.withLock { $0[index] = body }
        return body
    }

    /// Events of every recorded updates stream, in arrival order, each released once as many
    /// other requests had been made as before it was recorded.
    private static func schedule(_ exchanges: [RecordedExchange]) -> [ScheduledEvent] {
        let requestDates = exchanges.filter { !$0.isUpdates }.map(\.request.date).sorted()
        var placed: [(date: WARCDate, order: Int, event: ScheduledEvent)] = []
        for exchange in exchanges {
            guard case let .stream(stream) = exchange.answer else { continue }
            for (index, event) in stream.events.enumerated() {
                let threshold = requestDates.partitioningIndex { $0 >= event.date }
                let since = threshold > 0 ? requestDates[threshold - 1] : exchange.request.date
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
