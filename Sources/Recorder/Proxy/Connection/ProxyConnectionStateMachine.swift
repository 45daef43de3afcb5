import AomiAPI
import AomiArchive
import HTTPServing
import HTTPTypes
import NIOCore
import NIOHTTP1
import WARC

/// The logic of one client connection of the recording proxy, as a value: each event (a
/// request part from the client, a response part from the upstream, an archive write done, a
/// timer, a stop) changes the state and returns the actions the channel handler performs, in
/// order. No channel, no I/O: tests drive it event by event.
///
/// Requests are passed upstream as they arrive, over one upstream connection per client
/// connection. An ordinary response is held until its exchange is archived, so its head can
/// say whether it was (`X-Aomi-Recorded: no`, or 503 with `requireRecording`); a stream's head
/// waits for its start record. `GET /_recorder/health` and `GET /metrics` are answered here,
/// never forwarded or recorded.
struct ProxyConnectionStateMachine {
    let configuration: RecorderConfiguration
    /// The `Host` requests carry upstream.
    let upstreamHost: String
    let environment: ProxyEnvironment

    var upstream = UpstreamState.none
    var attempts = 0
    var exchange: ExchangeInProgress?
    /// A refused request's remaining parts are read and dropped.
    var discardingRequest = false
    var ending = ConnectionEnding.keepOpen
    /// A stream's head and what followed it, until the stream's start is archived.
    var pendingStreamOutput: PendingStreamOutput?
    /// What the client gets once the exchange being written is archived.
    var awaitingArchive: ReplyAfterArchive?
    /// The client connection is gone: nothing more is written to it.
    var clientGone = false
    var actions: [ProxyAction] = []

    init(configuration: RecorderConfiguration, upstreamHost: String, environment: ProxyEnvironment) {
        self.configuration = configuration
        self.upstreamHost = upstreamHost
        self.environment = environment
    }

    static let healthPath = "/_recorder/health"
    /// Marks a response whose exchange could not be written to the archive.
    static let recordedHeader = "X-Aomi-Recorded"

    // MARK: From the client

    mutating func requestHead(_ head: HTTPRequestHead) -> [ProxyAction] {
        if let refusal = RequestAdmission.refusal(of: head, configuration: configuration) {
            refuse(head, refusal.error, close: refusal.closesConnection)
        } else if QueryString.path(of: head.uri) == Self.healthPath {
            answerHealth(head)
        } else if let metrics = configuration.metrics, QueryString.path(of: head.uri) == MetricsEndpoint.path {
            answerMetrics(head, metrics)
        } else if environment.descriptorsExhausted() {
            // Nothing can be forwarded or recorded: say so at once, and free this connection's descriptor.
            refuse(head, ProxyAnswers.outOfDescriptors, close: true)
        } else {
            forward(head)
        }
        return takeActions()
    }

    mutating func requestBody(_ part: ByteBuffer) -> [ProxyAction] {
        guard !discardingRequest, var current = exchange, !current.answered else { return [] }
        guard current.body.count + part.readableBytes <= configuration.maxRequestBodyBytes else {
            exchange = nil
            emit(.cancelTimeout)
            dropUpstream()
            refuse(current.head, APIError(status: 413, "request body over \(configuration.maxRequestBodyBytes) bytes"), close: true)
            return takeActions()
        }
        current.body.append(contentsOf: part.readableBytesView)
        exchange = current
        sendUpstream(.body(.byteBuffer(part)))
        return takeActions()
    }

    mutating func requestEnd() -> [ProxyAction] {
        if discardingRequest {
            discardingRequest = false
            return []
        }
        guard exchange != nil else { return [] }
        exchange?.requestEnded = true
        sendUpstream(.end(nil))
        return takeActions()
    }

    /// The client connection closed: a stream ends as `client-closed`, the upstream link goes.
    mutating func clientClosed() -> [ProxyAction] {
        pendingStreamOutput = nil
        if let current = exchange {
            emit(.cancelTimeout)
            if current.stream != nil { finishStream(.clientClosed) } else { exchange = nil }
        }
        dropUpstream()
        clientGone = true
        return takeActions()
    }

    /// Graceful stop: an idle connection closes now, a stream ends as `recorder-stopped`, an
    /// exchange in flight (or being archived) finishes and then closes.
    mutating func stop() -> [ProxyAction] {
        ending = .stopping
        if exchange == nil, awaitingArchive == nil {
            emit(.closeClient)
        } else if exchange?.stream != nil {
            finishStream(.recorderStopped)
        }
        return takeActions()
    }

    /// A request that passed the checks: numbered, timed, and sent upstream (or, while writes
    /// fail under `requireRecording`, answered 503 without reaching the backend).
    private mutating func forward(_ head: HTTPRequestHead) {
        let session = head.headers[AomiHeader.sessionID].first.flatMap { $0.isEmpty ? nil : $0 }
        if let oversized = RequestIdentity.oversizedIdentifier(sessionID: session, target: head.uri) {
            return refuse(head, APIError(status: 400, oversized), close: false)
        }
        // An absolute-form target (a client behind HTTP_PROXY) goes upstream as its path and
        // is recorded under its own authority.
        var head = head
        let absoluteOrigin = QueryString.origin(ofURI: head.uri)
        if absoluteOrigin != nil { head.uri = QueryString.target(ofURI: head.uri) }
        var current = ExchangeInProgress(head: head, arrival: .now(), started: .now, sessionID: session, sequence: environment.nextSequence(session))
        current.recordedOrigin = absoluteOrigin
        exchange = current
        emit(.startTimeout)
        if configuration.requireRecording, environment.recordingFailing() {
            // The backend must not act on what cannot be recorded. The refusal is recorded,
            // and that write is what tells that recording works again.
            answerInsteadOfUpstream(ProxyAnswers.notForwarded, reason: "not forwarded: writes to the archive were failing")
            return
        }
        sendUpstream(.head(ProxyHeaders.upstreamHead(head, host: upstreamHost)))
    }

    /// Answers a request the proxy will not pass on (431, 413, …) without recording it.
    private mutating func refuse(_ head: HTTPRequestHead, _ error: APIError, close: Bool) {
        emit(.log(.warning, "\(head.method.rawValue) \(QueryString.path(of: head.uri)) refused (\(error.status)): \(error.error)"))
        discardingRequest = true
        if close || !head.isKeepAlive { ending.closeAfterResponse() }
        sendOwnResponse(error, keepAlive: ending == .keepOpen)
    }

    // MARK: Health

    /// `GET /_recorder/health`: read-only (405 for any other method), never forwarded or recorded.
    private mutating func answerHealth(_ head: HTTPRequestHead) {
        discardingRequest = true
        if !head.isKeepAlive { ending.closeAfterResponse() }
        guard head.method == .GET || head.method == .HEAD else {
            let error = APIError(status: 405, "\(Self.healthPath) is read-only: use GET")
            return sendJSON(status: 405, body: JSONCoding.encode(error), keepAlive: ending == .keepOpen, extraHeaders: [("Allow", "GET, HEAD")])
        }
        emit(.readHealth(withBody: head.method == .GET))
    }

    /// `GET /metrics` (when the process has a metrics backend): the Prometheus text, read-only.
    private mutating func answerMetrics(_ head: HTTPRequestHead, _ metrics: MetricsEndpoint) {
        discardingRequest = true
        if !head.isKeepAlive { ending.closeAfterResponse() }
        guard head.method == .GET || head.method == .HEAD else {
            let error = APIError(status: 405, "\(MetricsEndpoint.path) is read-only: use GET")
            return sendJSON(status: 405, body: JSONCoding.encode(error), keepAlive: ending == .keepOpen, extraHeaders: [("Allow", "GET, HEAD")])
        }
        sendOwn(
            status: 200, contentType: MetricsEndpoint.contentType, body: metrics.render(), keepAlive: ending == .keepOpen, withBody: head.method == .GET,
            extraHeaders: [("Cache-Control", "no-store")])
    }

    /// The recorder's counters: 200 while writes succeed, 503 while they fail.
    mutating func healthRead(_ health: RecorderHealth, withBody: Bool) -> [ProxyAction] {
        sendJSON(
            status: health.status == "ok" ? 200 : 503, body: JSONCoding.encode(health), keepAlive: ending == .keepOpen, withBody: withBody,
            extraHeaders: [("Cache-Control", "no-store")])
        return takeActions()
    }

    // MARK: Actions

    mutating func emit(_ action: ProxyAction) {
        actions.append(action)
    }

    mutating func takeActions() -> [ProxyAction] {
        defer { actions = [] }
        return actions
    }
}
