/// The replay's state for one session id a client uses: which recorded sessions it may be
/// (narrowed with every request until one is left), where it is in each request's queue,
/// and its updates streams.
struct ClientSession {
    let id: String
    /// Its place among the client sessions, in order of their first request.
    let order: Int
    /// Indexes of the recorded sessions consistent with every request so far, in recorded order.
    var candidates: [Int]
    /// The recorded session is decided (and claimed: no other client session gets it).
    var bound = false
    /// Requests so far, while the recorded session is still undecided.
    var history: [RequestKey] = []
    var positions: [RequestKey: Int] = [:]
    /// Requests other than `/api/updates`: what releases SSE events.
    var requests = 0
    var requestTimes: [ContinuousClock.Instant] = []
    var firstSubscription: ContinuousClock.Instant?
    var eventCursor = 0
    var sinks: [Int: any EventSink] = [:]
    var timerPending = false
    /// Recorded volatile values (`client_id`, transaction hashes, signatures) and the client's
    /// values that stand for them, written into answers and events in their place.
    var valueAliases: [String: String] = [:]
    /// The rewrite of what it is served, for the lead it was made for (`ReplayEngine.rewrite`).
    var keptRewrite: (lead: Int, rewrite: SessionRewrite)?

    init(id: String, order: Int, candidates: [Int]) {
        self.id = id
        self.order = order
        self.candidates = candidates
    }

    var lead: Int? { candidates.first }
}
