import AomiAPI
import AomiArchive
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import TLSSupport
import WARC

/// One client connection of the recording proxy. Requests are passed to the upstream as they
/// arrive (head, then body parts as the client sends them) over an upstream connection of
/// its own on the same event loop; responses come back the same way, SSE event by event.
/// An ordinary response is held until the exchange is archived, so its head can say whether it
/// was (`X-Aomi-Recorded: no` when the write failed, or 503 with `requireRecording`); a stream's
/// head waits for its start record. `GET /_recorder/health` is answered here, never forwarded.
final class ProxyConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let shared: ProxyShared
    let lane = RecordingLane()
    private var context: ChannelHandlerContext?
    private var upstream = UpstreamLink.none
    private var exchange: ExchangeInProgress?
    /// A refused request's remaining parts are read and dropped.
    private var discardingRequest = false
    private var ending = ConnectionEnding.keepOpen
    /// A stream's head and what followed it, until the stream's start is archived.
    private var pendingStreamOutput: PendingStreamOutput?

    init(shared: ProxyShared) {
        self.shared = shared
    }

    /// Adds a client connection's handlers behind its TLS handler, if any: the stop relay, the
    /// HTTP/1 server codec with pipelining and error handling, and the proxy.
    static func configure(_ pipeline: ChannelPipeline.SynchronousOperations, shared: ProxyShared) throws {
        try pipeline.addHandler(StopRelay())
        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
        try pipeline.addHandler(ProxyConnectionHandler(shared: shared))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): requestHead(head)
        case .body(let part): requestBody(part)
        case .end: requestEnd()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pendingStreamOutput = nil
        if let current = exchange {
            current.timeout?.cancel()
            if current.stream != nil { finishStream(.clientClosed) } else { exchange = nil }
        }
        dropUpstream()
        lane.finish()
        shared.lanes.add(lane)
        self.context = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is StopRelay.StopEvent {
            beginStopping()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        shared.logger.debug("client connection error: \(error)")
        context.close(promise: nil)
    }

    // MARK: From the client

    private func requestHead(_ head: HTTPRequestHead) {
        let headBytes = ProxyHeaders.size(of: head)
        if headBytes > shared.configuration.maxHeaderBytes {
            refuse(head, APIError(status: 431, "request head of \(headBytes) bytes is over the limit of \(shared.configuration.maxHeaderBytes) bytes"), close: false)
            return
        }
        if let length = head.headers["content-length"].first.flatMap(Int.init), length > shared.configuration.maxRequestBodyBytes {
            refuse(head, APIError(status: 413, "request body over \(shared.configuration.maxRequestBodyBytes) bytes"), close: true)
            return
        }
        if head.method == .CONNECT || head.uri == "*" {
            refuse(
                head,
                APIError(
                    status: head.method == .CONNECT ? 405 : 400,
                    "\(head.method.rawValue) \(head.uri.prefix(100)) is not forwarded: this is a reverse proxy for \(shared.configuration.upstream)"), close: true)
            return
        }
        if QueryString.path(of: head.uri) == Self.healthPath {
            answerHealth(head)
            return
        }
        if shared.descriptors.isExhausted {
            // Nothing can be forwarded or recorded: say so at once, and free this connection's descriptor.
            refuse(head, Self.outOfDescriptors, close: true)
            return
        }
        let session = head.headers[AomiHeader.sessionID].first.flatMap { $0.isEmpty ? nil : $0 }
        if let oversized = RequestIdentity.oversizedIdentifier(sessionID: session, target: head.uri) {
            refuse(head, APIError(status: 400, oversized), close: false)
            return
        }
        // An absolute-form target (a client behind HTTP_PROXY) goes upstream as its path and
        // is recorded under its own authority.
        var head = head
        let absoluteOrigin = QueryString.origin(ofURI: head.uri)
        if absoluteOrigin != nil { head.uri = QueryString.target(ofURI: head.uri) }
        var current = ExchangeInProgress(head: head, arrival: .now(), started: .now, sessionID: session, sequence: shared.sessions.nextSequence(of: session))
        current.recordedOrigin = absoluteOrigin
        if let loop = context?.eventLoop.assumeIsolated() {
            current.timeout = loop.scheduleTask(in: TimeAmount(shared.configuration.upstreamTimeout)) { [self] in upstreamTimedOut() }
        }
        exchange = current
        if shared.configuration.requireRecording, shared.recorder.statistics.mayBeFailing {
            // The backend must not act on what cannot be recorded: while writes fail, a request
            // is answered 503 without being forwarded. Its refusal is recorded, and that write
            // is what tells that recording works again (the next request goes through).
            answerInsteadOfUpstream(Self.notForwarded, reason: "not forwarded: writes to the archive were failing")
            return
        }
        sendUpstream(.head(ProxyHeaders.upstreamHead(head, host: shared.upstream.hostHeader)))
    }

    private func requestBody(_ part: ByteBuffer) {
        guard !discardingRequest, var current = exchange, !current.answered else { return }
        guard current.body.count + part.readableBytes <= shared.configuration.maxRequestBodyBytes else {
            exchange = nil
            current.timeout?.cancel()
            dropUpstream()
            refuse(current.head, APIError(status: 413, "request body over \(shared.configuration.maxRequestBodyBytes) bytes"), close: true)
            return
        }
        current.body.append(contentsOf: part.readableBytesView)
        exchange = current
        sendUpstream(.body(.byteBuffer(part)))
    }

    private func requestEnd() {
        if discardingRequest {
            discardingRequest = false
            return
        }
        guard exchange != nil else { return }
        exchange?.requestEnded = true
        sendUpstream(.end(nil))
    }

    /// Answers a request the proxy will not pass on (431, 413) without recording it.
    private func refuse(_ head: HTTPRequestHead, _ error: APIError, close: Bool) {
        shared.logger.warning("\(head.method.rawValue) \(QueryString.path(of: head.uri)) refused (\(error.status)): \(error.error)")
        discardingRequest = true
        if close || !head.isKeepAlive { ending.closeAfterResponse() }
        sendOwnResponse(error, keepAlive: ending == .keepOpen)
    }

    // MARK: To the upstream

    private func sendUpstream(_ part: HTTPClientRequestPart) {
        switch upstream {
        case .none:
            upstream = .connecting(pending: [part])
            connectUpstream()
        case .connecting(var pending):
            pending.append(part)
            upstream = .connecting(pending: pending)
        case .connected(let channel, _):
            if case .head = part {
                channel.write(part, promise: nil)
            } else {
                channel.writeAndFlush(part, promise: nil)
            }
        }
    }

    /// Forgets the upstream connection, then closes it (closing first would report its end
    /// as if the upstream had hung up). One still being opened is closed when it opens.
    private func dropUpstream() {
        let channel = upstream.channel
        upstream = .none
        channel?.close(promise: nil)
    }

    private func connectUpstream() {
        guard let context else { return }
        let owner = NIOLoopBound(self, eventLoop: context.eventLoop)
        shared.connector.connect(context.eventLoop) { channel in
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.pipeline.syncOperations.addHandler(UpstreamResponseHandler(owner: owner.value))
        }
        .assumeIsolated()
        .whenComplete { [self] result in upstreamConnected(result) }
    }

    /// A connection attempt ended. It is used only while the link still waits for it: a link
    /// dropped meanwhile (the request was refused or timed out) closes it unused.
    private func upstreamConnected(_ result: Result<any Channel, any Error>) {
        guard case .connecting(let pending) = upstream, self.context != nil else {
            if case .success(let channel) = result { channel.close(promise: nil) }
            return
        }
        switch result {
        case .success(let channel):
            upstream = .connected(channel, failure: nil)
            for part in pending { channel.write(part, promise: nil) }
            channel.flush()
        case .failure(let error as IOError) where error.errnoCode == EMFILE || error.errnoCode == ENFILE:
            // No descriptor for the upstream connection: the backend never saw the request.
            upstream = .none
            let recorder = shared.recorder
            lane.enqueue { await recorder.noteFailure("out of file descriptors (no connection to the upstream could be opened)") }
            answerInsteadOfUpstream(Self.outOfDescriptors, reason: "out of file descriptors")
        case .failure(let error):
            upstream = .none
            answerInsteadOfUpstream(APIError(status: 502, "upstream \(shared.configuration.upstream) refused the connection: \(error)"), reason: "\(error)")
        }
    }

    private func upstreamTimedOut() {
        guard let current = exchange, current.responseHead == nil, !current.answered else { return }
        dropUpstream()
        answerInsteadOfUpstream(APIError(status: 504, "upstream \(shared.configuration.upstream) did not answer within \(shared.configuration.upstreamTimeout)"), reason: "timeout")
    }

    // MARK: From the upstream

    func upstreamRead(_ part: HTTPClientResponsePart, from channel: any Channel) {
        guard channel === upstream.channel, let current = exchange, !current.answered else { return }
        switch part {
        case .head(let head): responseHead(head)
        case .body(let body): responseBody(body)
        case .end: current.stream == nil ? finishExchange() : finishStream(.upstreamClosed)
        }
    }

    /// An error on the upstream connection, which then closes: kept when it is TLS's, to name
    /// the cause in the 502.
    func upstreamFailed(_ error: any Error, from channel: any Channel) {
        guard channel === upstream.channel, TLSFailure.describe(error) != nil else { return }
        upstream = .connected(channel, failure: error)
    }

    func upstreamClosed(_ channel: any Channel) {
        guard channel === upstream.channel, case .connected(_, let tlsFailure) = upstream else { return }
        upstream = .none
        guard let current = exchange, !current.answered else { return }
        if current.stream != nil {
            finishStream(.error)
        } else if current.responseHead == nil, let tlsFailure {
            answerTLSFailure(tlsFailure)
        } else if current.responseHead == nil {
            answerInsteadOfUpstream(
                APIError(status: 502, "upstream \(shared.configuration.upstream) closed the connection before answering"), reason: "upstream closed the connection")
        } else {
            finishExchange(upstreamError: "upstream closed the connection mid-response")
        }
    }

    /// 502 naming why TLS to the upstream failed; a refused certificate is first explained by
    /// a second look at it.
    private func answerTLSFailure(_ failure: any Error) {
        guard let context else { return }
        let shared = self.shared
        let explained = context.eventLoop.makeFutureWithTask {
            await TLSFailure.explain(failure, host: shared.upstream.host, port: shared.upstream.port, tls: shared.configuration.upstreamTLS)
        }
        explained.assumeIsolated().whenSuccess { [self] cause in
            let cause = cause ?? "\(failure)"
            answerInsteadOfUpstream(APIError(status: 502, "upstream \(shared.configuration.upstream): TLS failed: \(cause)"), reason: "tls: \(cause)")
        }
    }

    private func responseHead(_ head: HTTPResponseHead) {
        guard var current = exchange, let context else { return }
        current.timeout?.cancel()
        current.responseHead = head
        let date = WARCDate.now()
        current.responseDate = date
        let isStream = head.headers["content-type"].first?.lowercased().hasPrefix("text/event-stream") == true
        if isStream {
            let clientHead = ProxyHeaders.clientHead(head, version: current.head.version, keepAlive: current.keepAlive && ending == .keepOpen)
            let request = current.recordedRequest(upstreamHost: shared.upstream.hostHeader)
            let stream = StreamInProgress(context: exchangeContext(for: request, current), request: request)
            let recorder = shared.recorder
            let status = Int(head.status.code)
            let reason = head.status.reasonPhrase
            let fields = ProxyHeaders.fields(head.headers)
            let log = stream.log
            let streamContext = stream.context
            let started = context.eventLoop.makePromise(of: String?.self)
            lane.enqueue {
                started.succeed(await recorder.startStream(request, status: status, reason: reason, headers: fields, headDate: date, context: streamContext, into: log))
            }
            current.stream = stream
            pendingStreamOutput = PendingStreamOutput(head: clientHead)
            started.futureResult.assumeIsolated().whenSuccess { [self] failure in streamStartArchived(failure: failure) }
        }
        exchange = current
    }

    private func responseBody(_ body: ByteBuffer) {
        guard var current = exchange, let context else { return }
        if var stream = current.stream {
            let recorder = shared.recorder
            let log = stream.log
            let owner = NIOLoopBound(self, eventLoop: context.eventLoop)
            let loop = context.eventLoop
            for event in stream.parser.feed(body.readableBytesView) {
                let raw = event.raw
                let arrived = WARCDate.now()
                lane.enqueue {
                    if await recorder.recordEvent(raw, arrived: arrived, in: log) != nil {
                        loop.execute { owner.value.streamEventNotArchived(log) }
                    }
                }
            }
            stream.relayed += body.readableBytes
            current.stream = stream
            if pendingStreamOutput != nil {
                pendingStreamOutput?.parts.append(body)
            } else {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            }
        } else if !current.clientHeadSent {
            current.responseBody.append(contentsOf: body.readableBytesView)
            if current.responseBody.count > shared.configuration.maxRecordedBodyBytes, let head = current.responseHead {
                // Too large to hold whole: the head and what came so far go now, the rest
                // streams with only its last part held.
                context.write(
                    wrapOutboundOut(.head(ProxyHeaders.clientHead(head, version: current.head.version, keepAlive: current.keepAlive && ending == .keepOpen))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: current.responseBody)))), promise: nil)
                current.clientHeadSent = true
            }
        } else {
            if let held = current.held {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(held))), promise: nil)
            }
            current.held = body
        }
        exchange = current
    }

    // MARK: Ending exchanges

    /// Archives the exchange, then passes the response (or its held last part) and the end to
    /// the client, saying whether it was archived.
    private func finishExchange(upstreamError: String? = nil) {
        guard let current = exchange, let head = current.responseHead, let context else { return }
        exchange = nil
        let request = current.recordedRequest(upstreamHost: shared.upstream.hostHeader)
        let response = CapturedResponse(
            status: Int(head.status.code), reason: head.status.reasonPhrase, headers: ProxyHeaders.fields(head.headers),
            body: current.responseBody, date: current.responseDate ?? .now())
        let keepAlive = current.keepAlive && upstreamError == nil
        archiveThenSend(
            HTTPExchange(request: request, response: response, upstreamError: upstreamError), context: exchangeContext(for: request, current),
            started: current.started, loop: context.eventLoop
        ) { [self] failure in
            guard let context = self.context else { return }
            let refuse = failure != nil && shared.configuration.requireRecording
            if current.clientHeadSent {
                // Too late for a 503: the client is told by a response that never ends.
                if refuse { return context.close(promise: nil) }
                if let held = current.held { context.write(wrapOutboundOut(.body(.byteBuffer(held))), promise: nil) }
                endResponse(keepAlive: keepAlive)
            } else if let failure, refuse {
                sendOwnResponse(Self.notRecorded(failure), keepAlive: keepAlive, notRecorded: true)
            } else {
                var clientHead = ProxyHeaders.clientHead(head, version: current.head.version, keepAlive: keepAlive && ending == .keepOpen)
                if failure != nil { clientHead.headers.add(name: Self.recordedHeader, value: "no") }
                context.write(wrapOutboundOut(.head(clientHead)), promise: nil)
                if !current.responseBody.isEmpty {
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: current.responseBody)))), promise: nil)
                }
                endResponse(keepAlive: keepAlive)
            }
        }
    }

    /// The stream's start is archived (or failed to be): its head goes out, with what waited
    /// behind it, or, when recording is required and failed, a 503 instead.
    private func streamStartArchived(failure: String?) {
        guard let pending = pendingStreamOutput, let context else { return }
        pendingStreamOutput = nil
        if let failure, shared.configuration.requireRecording {
            if exchange?.stream != nil { finishStreamQuietly() }
            ending.closeAfterResponse()
            sendOwnResponse(Self.notRecorded(failure), keepAlive: false, notRecorded: true)
            return
        }
        var head = pending.head
        if failure != nil { head.headers.add(name: Self.recordedHeader, value: "no") }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        for part in pending.parts { context.write(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil) }
        context.flush()
        switch pending.end {
        case .response(let keepAlive): endResponse(keepAlive: keepAlive)
        case .close: context.close(promise: nil)
        case nil: break
        }
    }

    /// An event of the current stream could not be archived: with `requireRecording` the
    /// stream is cut (recorded as ended by `error`), so the client reconnects and learns.
    func streamEventNotArchived(_ log: StreamLog) {
        guard shared.configuration.requireRecording, let stream = exchange?.stream, stream.log === log else { return }
        finishStream(.error)
    }

    /// Ends the current stream's recording and its upstream without sending the client anything.
    private func finishStreamQuietly() {
        dropUpstream()
        finishStream(.clientClosed, toClient: false)
    }

    private func finishStream(_ end: StreamEnd, toClient: Bool = true) {
        guard let current = exchange, let stream = current.stream, let head = current.responseHead else { return }
        exchange = nil
        let recorder = shared.recorder
        let leftover = stream.parser.remainder
        let relayed = stream.relayed
        let request = stream.request
        let status = Int(head.status.code)
        let log = stream.log
        let streamContext = stream.context
        lane.enqueue { await recorder.endStream(log, end: end, leftover: leftover, relayed: relayed, request: request, status: status, context: streamContext) }
        guard toClient else { return }
        let output: StreamOutputEnd?
        switch end {
        case .upstreamClosed, .recorderStopped: output = .response(keepAlive: current.keepAlive && end == .upstreamClosed)
        case .error, .truncated: output = .close
        case .clientClosed: output = nil
        }
        if pendingStreamOutput != nil {
            pendingStreamOutput?.end = output
            return
        }
        switch output {
        case .response(let keepAlive): endResponse(keepAlive: keepAlive)
        case .close: context?.close(promise: nil)
        case nil: break
        }
    }

    /// The proxy's own answer (502, 504) to a request the upstream did not answer, recorded
    /// with the reason before the client gets it.
    private func answerInsteadOfUpstream(_ error: APIError, reason: String) {
        guard var current = exchange, !current.answered, let context else { return }
        current.timeout?.cancel()
        current.answered = true
        exchange = current
        if !current.requestEnded {
            discardingRequest = true
            ending.closeAfterResponse()
        }
        shared.logger.warning("\(current.head.method.rawValue) \(QueryString.path(of: current.head.uri)): \(error.error)")
        let request = current.recordedRequest(upstreamHost: shared.upstream.hostHeader)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let response = CapturedResponse(status: error.status, reason: HTTPResponseStatus(statusCode: error.status).reasonPhrase, headers: headers, body: JSONCoding.encode(error))
        archiveThenSend(
            HTTPExchange(request: request, response: response, upstreamError: reason), context: exchangeContext(for: request, current),
            started: current.started, loop: context.eventLoop
        ) { [self] failure in
            exchange = nil
            let keepAlive = current.keepAlive && ending == .keepOpen
            if let failure, shared.configuration.requireRecording {
                sendOwnResponse(Self.notRecorded(failure), keepAlive: keepAlive, notRecorded: true)
            } else {
                sendOwnResponse(error, keepAlive: keepAlive, notRecorded: failure != nil)
            }
        }
    }

    /// Archives on the connection's lane, then calls `send` on the event loop with nil, or the
    /// cause when the exchange could not be written.
    private func archiveThenSend(_ exchange: HTTPExchange, context: ExchangeContext, started: ContinuousClock.Instant, loop: any EventLoop, then send: @escaping (String?) -> Void)
    {
        let recorder = shared.recorder
        let archived = loop.makePromise(of: String?.self)
        lane.enqueue {
            archived.succeed(await recorder.record(exchange, context: context, started: started))
        }
        archived.futureResult.assumeIsolated().whenSuccess { send($0) }
    }

    private func sendOwnResponse(_ error: APIError, keepAlive: Bool, notRecorded: Bool = false) {
        sendJSON(
            status: error.status, body: JSONCoding.encode(error), keepAlive: keepAlive,
            extraHeaders: notRecorded ? [(Self.recordedHeader, "no")] : [])
    }

    private func sendJSON(status: Int, body: [UInt8], keepAlive: Bool, withBody: Bool = true, extraHeaders: [(String, String)] = []) {
        guard let context else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.count))
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers))), promise: nil)
        if withBody { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil) }
        endResponse(keepAlive: keepAlive)
    }

    /// The 503 for a request that came while the process had no file descriptor left.
    private static let outOfDescriptors = APIError(
        status: 503, "the recorder has run out of file descriptors: nothing was forwarded or recorded; retry shortly (GET /_recorder/health)")

    /// The 503 of `requireRecording` for a request held back while writes fail.
    private static let notForwarded = APIError(
        status: 503,
        "not forwarded: writes to the archive are failing and this recorder runs with --require-recording; nothing reached the backend, retry once recording works again (GET /_recorder/health)"
    )

    /// The 503 of `requireRecording` when an exchange could not be archived.
    private static func notRecorded(_ cause: String) -> APIError {
        APIError(status: 503, "the exchange could not be recorded (\(cause)); this recorder runs with --require-recording, so it is not answered")
    }

    // MARK: Health

    static let healthPath = "/_recorder/health"
    /// Marks a response whose exchange could not be written to the archive.
    static let recordedHeader = "X-Aomi-Recorded"

    /// `GET /_recorder/health`: the recorder's counters, 200 while writes succeed, 503 while
    /// they fail. Read-only: any other method is 405. Never forwarded, never recorded.
    private func answerHealth(_ head: HTTPRequestHead) {
        guard let context else { return }
        discardingRequest = true
        if !head.isKeepAlive { ending.closeAfterResponse() }
        guard head.method == .GET || head.method == .HEAD else {
            let error = APIError(status: 405, "\(Self.healthPath) is read-only: use GET")
            return sendJSON(status: 405, body: JSONCoding.encode(error), keepAlive: ending == .keepOpen, extraHeaders: [("Allow", "GET, HEAD")])
        }
        let statistics = shared.recorder.statistics
        let withBody = head.method == .GET
        context.eventLoop.makeFutureWithTask { await statistics.health() }.assumeIsolated().whenSuccess { [self] health in
            sendJSON(
                status: health.status == "ok" ? 200 : 503, body: JSONCoding.encode(health), keepAlive: ending == .keepOpen, withBody: withBody,
                extraHeaders: [("Cache-Control", "no-store")])
        }
    }

    private func endResponse(keepAlive: Bool) {
        guard let context else { return }
        let close = !keepAlive || ending != .keepOpen
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { [self] _ in
            if close { self.context?.close(promise: nil) }
        }
    }

    /// Session, wallet and number of an exchange: a request without `X-Session-Id` belongs to
    /// the session of its `client_id` (secrets calls) or, naming a wallet, to that wallet's
    /// folder (the thread list). Called once per exchange.
    private func exchangeContext(for request: CapturedRequest, _ current: ExchangeInProgress) -> ExchangeContext {
        let named = RequestIdentity.wallet(method: request.method, target: request.target, body: request.body)
        let clientID = RequestIdentity.clientID(target: request.target, body: request.body)
        let (session, sequence) = shared.sessions.attribute(session: current.sessionID, sequence: current.sequence, clientID: clientID)
        let wallet = shared.sessions.wallet(for: RequestIdentity(sessionID: session, wallet: named))
        return ExchangeContext(sessionID: session, wallet: wallet, sequence: sequence, clientID: clientID, origin: current.recordedOrigin ?? shared.configuration.upstream)
    }

    // MARK: Shutdown

    /// Graceful stop: an idle connection closes now, a stream ends as `recorder-stopped`,
    /// an exchange in flight finishes and then closes.
    func beginStopping() {
        ending = .stopping
        if exchange == nil {
            context?.close(promise: nil)
        } else if exchange?.stream != nil {
            finishStream(.recorderStopped)
        }
    }
}
