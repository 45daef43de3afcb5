import AomiAPI
import AomiArchive
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import WARC

/// The heart of a replay: matches each request to the recorded session and answer it stands
/// for, walks every request's queue of recorded answers in order, aliases fresh client
/// session ids to recorded sessions, and releases SSE events causally. Thread-safe; the same
/// request sequence always gives the same bytes.
public final class ReplayEngine: Sendable {
    public let configuration: ReplayConfiguration
    let scripts: [ReplayScript]
    private let scriptIndex: [String: Int]
    let tokens: SecretTokens
    /// The key at hand made the archive's tokens, so App keys can be checked.
    public let canCheckKeys: Bool
    let logger: Logger
    private let scheduler: any EventLoopGroup
    private let state = Mutex(EngineState())

    struct EngineState {
        var sessions: [String: ClientSession] = [:]
        /// The client session each `client_id` was sent with: where a request without
        /// `X-Session-Id` that carries it (a secrets call) belongs.
        var sessionsByClientID: [String: String] = [:]
        var claimedBy: [Int: String] = [:]
        var nextSinkID = 0
        var counts: [ReplayOutcome.Kind: Int] = [:]
    }

    /// `scheduler` runs the wake-ups of the recorded clock (`--clock recorded`). `library`
    /// must have been prepared with `configuration.matching`.
    public init(
        library: ReplayLibrary, configuration: ReplayConfiguration = ReplayConfiguration(), tokens: SecretTokens = .unavailable,
        logger: Logger = Logger(label: "aomi-archive.replay"), scheduler: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.scheduler = scheduler
        self.configuration = configuration
        scripts = library.scripts
        scriptIndex = Dictionary(scripts.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.tokens = tokens
        canCheckKeys = tokens.keyID.map { library.redactionKeyIDs.isEmpty || library.redactionKeyIDs.contains($0) } ?? false
        self.logger = logger
    }

    /// A replay of sessions already read.
    public convenience init(
        archive: RecordedArchive, configuration: ReplayConfiguration = ReplayConfiguration(), tokens: SecretTokens = .unavailable,
        logger: Logger = Logger(label: "aomi-archive.replay"), scheduler: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.init(
            library: ReplayLibrary(archive: archive, rules: configuration.matching), configuration: configuration, tokens: tokens, logger: logger,
            scheduler: scheduler)
    }

    /// Answers one request, as a value: the server writes it (and adds its CORS fields).
    /// A CORS `preflight` is looked for among the recorded ones but leaves no trace when none
    /// matches (the server answers it by its CORS policy): it is not counted as a miss, not
    /// logged, and never ties a `client_id` to a session.
    public func respond(to request: ReplayRequest, preflight: Bool = false) -> ReplayOutcome {
        let now = ContinuousClock.now
        let sentClientID = RequestIdentity.clientID(target: request.target, body: request.body)
        // The request's key is made before the lock; only the session aliases are applied under it.
        let key = RequestKey(method: request.method, target: request.target, body: request.body, fields: request.fields, rules: configuration.matching)
        let (decision, clientID) = state.withLock { state -> (Decision, String) in
            var clientID = clientSession(of: request, clientID: sentClientID, state)
            var decision = answer(request, key: key, clientID: clientID, now: now, state: &state)
            if decision.kind == .miss, !clientID.isEmpty, request.value(AomiHeader.sessionID) == nil {
                // Sent before its client_id met a session (secrets registered at start): the recording's requests without one.
                clientID = ""
                decision = answer(request, key: key, clientID: clientID, now: now, state: &state)
            }
            if preflight, decision.kind != .hit { return (decision, clientID) }
            state.counts[decision.kind, default: 0] += 1
            if !preflight, let sentClientID, !clientID.isEmpty, decision.kind == .hit { state.sessionsByClientID[sentClientID] = clientID }
            return (decision, clientID)
        }
        // The answer's bytes are made outside the lock: a large body is read from its file the first time.
        let outcome =
            switch decision {
            case let .answered(outcome): outcome
            case let .serve(script, index, rewrite, repeated):
                hit(
                    scripts[script], index, body: repeated ? scripts[script].repeatedBody(of: index) : nil, rewrite: rewrite, clientID: clientID,
                    request: request, as: RecordedAnswerID(script: script, exchange: index, repeated: repeated, rewrite: rewrite))
            }
        if outcome.kind == .unreadable {
            // Counted as a hit under the lock, before its body was read.
            state.withLock { state in
                state.counts[.hit, default: 1] -= 1
                state.counts[.unreadable, default: 0] += 1
            }
        }
        if !preflight || outcome.kind != .miss, let explanation = outcome.explanation {
            logger.warning("\(outcome.kind.rawValue): \(explanation.replacingOccurrences(of: "\n", with: " | "))")
        }
        return outcome
    }

    /// Connects an opened updates stream to its session; events already due are sent at once.
    /// Returns the id to detach it with.
    public func attach(_ sink: any EventSink, session clientID: String) -> Int {
        state.withLock { state in
            let id = state.nextSinkID
            state.nextSinkID += 1
            guard state.sessions[clientID] != nil else { return id }
            state.sessions[clientID]?.sinks[id] = sink
            if state.sessions[clientID]?.firstSubscription == nil { state.sessions[clientID]?.firstSubscription = .now }
            pump(clientID, state: &state)
            return id
        }
    }

    /// Forgets a stream whose connection closed.
    public func detach(_ sinkID: Int, session clientID: String) {
        state.withLock { state in _ = state.sessions[clientID]?.sinks.removeValue(forKey: sinkID) }
    }

    /// Rewinds every cursor and forgets every alias, so the same requests replay the same way again.
    /// Open streams are ended.
    public func reset() {
        let sinks = state.withLock { state -> [any EventSink] in
            let sinks = state.sessions.values.flatMap { $0.sinks.values }
            state = EngineState()
            return sinks
        }
        sinks.forEach { $0.finish() }
        logger.info("reset: every cursor rewound")
    }

    /// Counters and aliases, for `GET /_replay/status`.
    public func status() -> [String: JSONValue] {
        state.withLock { state in
            var aliases: [String: JSONValue] = [:]
            for session in state.sessions.values {
                aliases[session.id.isEmpty ? "(none)" : session.id] = session.lead.map { .string(scripts[$0].id) } ?? .null
            }
            return [
                "sessions": .number(Double(scripts.count)),
                "hits": .number(Double(state.counts[.hit] ?? 0)),
                "misses": .number(Double(state.counts[.miss] ?? 0)),
                "rejected": .number(Double(state.counts[.rejected] ?? 0)),
                "unreadable": .number(Double(state.counts[.unreadable] ?? 0)),
                "aliases": .object(aliases),
            ]
        }
    }

    // MARK: - Matching

    /// What matching decided: an answer made already (a miss, a rejected key), or a recorded
    /// exchange to serve with the client's session ids (`repeated` once its key's recorded
    /// answers are used up).
    private enum Decision {
        case answered(ReplayOutcome)
        case serve(script: Int, index: Int, SessionRewrite, repeated: Bool)

        var kind: ReplayOutcome.Kind {
            switch self {
            case let .answered(outcome): outcome.kind
            case .serve: .hit
            }
        }
    }

    /// The client session a request belongs to: its `X-Session-Id`, or for a request without
    /// one the session its `client_id` was sent with, or none ("").
    private func clientSession(of request: ReplayRequest, clientID: String?, _ state: EngineState) -> String {
        if let id = request.value(AomiHeader.sessionID), !id.isEmpty { return id }
        return clientID.flatMap { state.sessionsByClientID[$0] } ?? ""
    }

    private func answer(
        _ request: ReplayRequest, key sentKey: RequestKey, clientID: String, now: ContinuousClock.Instant,
        state: inout EngineState
    ) -> Decision {
        let key = sentKey.replacingSessions(pathAliases(request.path, state))
        // Taken out of the table while it changes, so that its tables (positions, history,
        // request times) are changed in place instead of copied on every request.
        let wasKnown = state.sessions[clientID] != nil
        var session =
            state.sessions.removeValue(forKey: clientID) ?? ClientSession(id: clientID, order: state.sessions.count, candidates: initialCandidates(for: clientID, state))
        let position = session.positions[key] ?? 0
        let consistent = session.candidates.filter {
            scripts[$0].canAnswer(key, position: position, strict: configuration.strict, tokens: tokens)
        }
        guard let lead = consistent.first, let (index, repeated) = scripts[lead].exchange(for: key, position: position, tokens: tokens) else {
            if wasKnown { state.sessions[clientID] = session }
            return .answered(
                MissDiagnosis(
                    sent: key.hidingSecrets(tokens: tokens), clientSession: clientID, position: position, strict: configuration.strict,
                    candidates: session.candidates.isEmpty ? Array(scripts.indices) : session.candidates, scripts: scripts, tokens: tokens
                )
                .outcome())
        }
        let facts = scripts[lead].facts[index]
        if let rejection = checkKey(request, recorded: scripts[lead].appKeys[index], session: scripts[lead].id) {
            if wasKnown { state.sessions[clientID] = session }
            return .answered(rejection)
        }
        learnAliases(sent: request, recorded: facts.volatileValues, into: &session)
        session.candidates = consistent
        session.positions[key] = position + 1
        if !session.bound { session.history.append(key) }
        if !facts.isUpdates {
            session.requests += 1
            if configuration.clock == .recorded { session.requestTimes.append(now) }
        }
        state.sessions[clientID] = session
        if consistent.count == 1, !session.bound { claim(lead, for: clientID, state: &state) }
        let rewrite = rewrite(for: clientID, lead: lead, listing: key.route == "GET " + AomiPath.sessions, state: &state)
        pump(clientID, state: &state)
        return .serve(script: lead, index: index, rewrite, repeated: repeated)
    }

    /// A recorded session id names itself (even when a fresh id was aliased to it: each has
    /// its own cursors); a fresh id may be any recorded session not yet taken by another client
    /// session; a request without a session id is the recording's requests without one.
    private func initialCandidates(for clientID: String, _ state: EngineState) -> [Int] {
        if let own = scriptIndex[clientID] { return [own] }
        guard !clientID.isEmpty else { return scriptIndex[""].map { [$0] } ?? [] }
        return scripts.indices.filter { state.claimedBy[$0] == nil && !scripts[$0].id.isEmpty }
    }

    /// Session ids of this replay that appear in a path (`/api/sessions/{id}`), mapped to the recorded ones.
    private func pathAliases(_ path: String, _ state: EngineState) -> [String: String] {
        guard path.utf8.count > 14, path.hasPrefix(AomiPath.sessions + "/") else { return [:] }
        var aliases: [String: String] = [:]
        for component in path.split(separator: "/") {
            if let lead = state.sessions[String(component)]?.lead, scripts[lead].id != component { aliases[String(component)] = scripts[lead].id }
        }
        return aliases
    }

    /// Gives recorded session `index` to one client session: the others that were still
    /// undecided look for another.
    private func claim(_ index: Int, for clientID: String, state: inout EngineState) {
        state.claimedBy[index] = clientID
        if clientID != scripts[index].id { ReplayMetrics.aliased() }
        state.sessions[clientID]?.bound = true
        state.sessions[clientID]?.history = []
        for (otherID, other) in state.sessions where otherID != clientID && !other.bound && other.candidates.contains(index) {
            var updated = other
            updated.candidates.removeAll { $0 == index }
            if updated.candidates.isEmpty { updated.candidates = refit(history: other.history, state) }
            state.sessions[otherID] = updated
        }
    }

    /// Unclaimed recorded sessions that could have answered every request in `history`.
    private func refit(history: [RequestKey], _ state: EngineState) -> [Int] {
        scripts.indices.filter { index in
            guard state.claimedBy[index] == nil, !scripts[index].id.isEmpty else { return false }
            var positions: [RequestKey: Int] = [:]
            return history.allSatisfy { key in
                let position = positions[key, default: 0]
                positions[key] = position + 1
                return scripts[index].canAnswer(key, position: position, strict: configuration.strict, tokens: tokens)
            }
        }
    }

    /// Pairs the volatile values the client sent with those of the recorded request it matched.
    private func learnAliases(sent request: ReplayRequest, recorded: [String: String], into session: inout ClientSession) {
        guard !recorded.isEmpty else { return }
        let sent = configuration.matching.volatileValues(target: request.target, body: request.body)
        guard !sent.isEmpty else { return }
        for (place, value) in recorded where !value.isEmpty {
            if let mine = sent[place], mine != value, session.valueAliases[value] != mine {
                session.valueAliases[value] = mine
                session.keptRewrite = nil
            }
        }
    }

    /// The session ids and values replaced in what a client session is served. Kept with the
    /// session until its lead or its aliases change; a thread list's (which shows the other
    /// client sessions too) is made every time.
    private func rewrite(for clientID: String, lead: Int, listing: Bool, state: inout EngineState) -> SessionRewrite {
        if !listing, let kept = state.sessions[clientID]?.keptRewrite, kept.lead == lead { return kept.rewrite }
        let made = SessionRewrite(rewrites(for: clientID, lead: lead, listing: listing, state))
        if !listing { state.sessions[clientID]?.keptRewrite = (lead, made) }
        return made
    }

    private func rewrites(for clientID: String, lead: Int, listing: Bool, _ state: EngineState) -> [(recorded: String, client: String)] {
        var pairs = [(recorded: scripts[lead].id, client: clientID)]
        if listing {
            for (index, client) in listedSessions(state) where index != lead { pairs.append((scripts[index].id, client)) }
        }
        pairs += state.sessions[clientID]?.valueAliases.map { (recorded: $0.key, client: $0.value) } ?? []
        return pairs.filter { !$0.client.isEmpty }
    }

    /// The recorded sessions a thread list shows under a client's id: each claimed one under
    /// the client session that claimed it, and each client session still undecided (a thread
    /// just created, `createThread` then `listThreads` at once) under the first of its
    /// candidates that no other client session shows, in the order the client sessions began.
    private func listedSessions(_ state: EngineState) -> [Int: String] {
        var listed = state.claimedBy
        let undecided = state.sessions.values.filter { !$0.bound && !$0.id.isEmpty && scriptIndex[$0.id] == nil }.sorted { $0.order < $1.order }
        for session in undecided {
            if let free = session.candidates.first(where: { listed[$0] == nil }) { listed[free] = session.id }
        }
        return listed
    }

    /// A recorded answer served. A snapshot served again after its key's recorded answers are
    /// used up (more polls than were recorded) carries no system events: the backend handed
    /// each out once, and the real client takes a wallet request seen again for a new one.
    /// `repeatedBody`: the body served again past the recording, when it is. A whole response
    /// is named `id` and made only when the server asks for it.
    private func hit(
        _ script: ReplayScript, _ index: Int, body repeatedBody: [UInt8]?, rewrite: SessionRewrite, clientID: String, request: ReplayRequest,
        as id: RecordedAnswerID
    ) -> ReplayOutcome {
        let delay = recordedDelay(script.facts[index])
        switch script.answers[index] {
        case let .response(status, reason, fields, payload):
            guard let body = repeatedBody ?? payload.loaded else { return unreadable(request, session: script.id, payload) }
            let parts = RecordedAnswerParts(status: status, reason: reason, fields: fields, body: body, rewrite: rewrite)
            return ReplayOutcome(hit: parts, delay: delay, as: id)
        case let .stream(status, reason, fields):
            let head = ReplayAnswer(status: status, reason: reason, fields: fields + [ReplayAnswer.marker("hit")], isStreamHead: true)
            return ReplayOutcome(kind: .hit, status: status, answer: head, delay: delay, streamSession: clientID, explanation: nil)
        }
    }

    /// 500 for a recorded answer whose body can no longer be read: its file changed or was
    /// damaged after the replay started (bodies are read when first served).
    private func unreadable(_ request: ReplayRequest, session: String, _ payload: Payload) -> ReplayOutcome {
        let place = payload.location.map(\.description) ?? "its record"
        let message = "the recorded body of \(request.method) \(request.path) (session \(session)) cannot be read from \(place)"
        let answer = ReplayAnswer.json(status: 500, reason: "", body: JSONCoding.encode(["error": message]), marker: "unreadable")
        return ReplayOutcome(kind: .unreadable, status: 500, answer: answer, delay: .zero, streamSession: nil, explanation: message)
    }

    private func recordedDelay(_ facts: ExchangeFacts) -> Duration {
        guard configuration.clock == .recorded else { return .zero }
        return facts.answerDelay / configuration.speed
    }

    // MARK: - App keys

    /// 401 when the recording sent an App key and this request sends none; 403 when the key
    /// sent is not the one recorded (its redaction token differs).
    private func checkKey(_ request: ReplayRequest, recorded appKey: HTTPMessageHead.Field?, session: String) -> ReplayOutcome? {
        guard configuration.checkKeys, canCheckKeys, let recorded = appKey else { return nil }
        let sent = ExchangeFacts.keyFields.lazy.compactMap { request.value($0) }.first
        let what = "\(request.method) \(request.path) (session \(session))"
        guard let sent else {
            return rejection(401, "missing App key: the recording sent \(recorded.name) with \(what)")
        }
        guard tokens.token(for: sent) == recorded.value else {
            return rejection(403, "this App key is not the one recorded for \(what)")
        }
        return nil
    }

    private func rejection(_ status: Int, _ message: String) -> ReplayOutcome {
        let body = JSONCoding.encode(["error": message])
        let answer = ReplayAnswer.json(status: status, reason: "", body: body, marker: "rejected")
        return ReplayOutcome(kind: .rejected, status: status, answer: answer, delay: .zero, streamSession: nil, explanation: message)
    }

    // MARK: - SSE

    /// Sends the client session's events that are due, in order, to its open streams; ends the
    /// streams where the recorded stream ended. With the recorded clock, schedules itself for
    /// the next event that is not yet due.
    private func pump(_ clientID: String, state: inout EngineState) {
        // Nothing to do, and nothing to make, without an open stream or an event left.
        guard var session = state.sessions[clientID], let lead = session.lead, !session.sinks.isEmpty, session.eventCursor < scripts[lead].events.count
        else { return }
        let events = scripts[lead].events
        let aliases = session.valueAliases.map { (recorded: $0.key, client: $0.value) }
        let rewrite = SessionRewrite([(scripts[lead].id, clientID)] + aliases)
        // While the client session may still be one of several recorded sessions, an event goes
        // out only when every one of them would send the same one now: a provisional lead's
        // events could belong to another client's conversation.
        let others = session.bound ? [] : Array(session.candidates.dropFirst())
        while session.eventCursor < events.count, !session.sinks.isEmpty {
            let event = events[session.eventCursor]
            guard event.threshold <= session.requests else { break }
            let bytes = rewrite.isEmpty ? event.bytes : rewrite.apply(event.bytes)
            guard
                others.allSatisfy({ other in
                    let cursor = session.eventCursor
                    guard cursor < scripts[other].events.count, scripts[other].events[cursor].threshold <= session.requests else { return false }
                    return SessionRewrite([(scripts[other].id, clientID)] + aliases).apply(scripts[other].events[cursor].bytes) == bytes
                })
            else { break }
            if configuration.clock == .recorded {
                let since =
                    event.threshold > 0 && event.threshold <= session.requestTimes.count
                    ? session.requestTimes[event.threshold - 1] : (session.firstSubscription ?? .now)
                let due = since + event.delay / configuration.speed
                if due > .now {
                    if !session.timerPending {
                        session.timerPending = true
                        scheduleWake(clientID, at: due)
                    }
                    break
                }
            }
            for sink in session.sinks.values { sink.send(bytes) }
            session.eventCursor += 1
            if event.endsStream {
                for sink in session.sinks.values { sink.finish() }
                session.sinks = [:]
            }
        }
        state.sessions[clientID] = session
    }

    private func scheduleWake(_ clientID: String, at due: ContinuousClock.Instant) {
        scheduler.any().scheduleTask(in: TimeAmount(max(.zero, ContinuousClock.now.duration(to: due)))) { [self] in
            state.withLock { state in
                state.sessions[clientID]?.timerPending = false
                pump(clientID, state: &state)
            }
        }
    }
}
