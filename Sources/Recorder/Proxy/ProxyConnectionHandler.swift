import AomiAPI
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
/// The last part of an ordinary response is held until the exchange is archived, so a client
/// that has a whole response knows it is on disk.
final class ProxyConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let shared: ProxyShared
    let lane = RecordingLane()
    private var context: ChannelHandlerContext?
    private var upstream: (any Channel)?
    private var pendingUpstream: [HTTPClientRequestPart] = []
    private var connecting = false
    /// Why the upstream connection failed, when TLS said so before it closed.
    private var upstreamFailure: (any Error)?
    private var exchange: ExchangeInProgress?
    /// A refused request's remaining parts are read and dropped.
    private var discardingRequest = false
    private var closeAfterResponse = false
    private var stopping = false

    init(shared: ProxyShared) {
        self.shared = shared
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        shared.registry.add(self, channel: context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): requestHead(head)
        case .body(let part): requestBody(part)
        case .end: requestEnd()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let current = exchange {
            current.timeout?.cancel()
            if current.stream != nil { finishStream(.clientClosed) } else { exchange = nil }
        }
        dropUpstream()
        lane.finish()
        shared.registry.remove(self, lane: lane)
        self.context = nil
        context.fireChannelInactive()
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
            refuse(head, APIError(status: head.method == .CONNECT ? 405 : 400,
                                  "\(head.method.rawValue) \(head.uri.prefix(100)) is not forwarded: this is a reverse proxy for \(shared.configuration.upstream)"), close: true)
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
        if close || !head.isKeepAlive { closeAfterResponse = true }
        sendOwnResponse(error, keepAlive: !closeAfterResponse)
    }

    // MARK: To the upstream

    private func sendUpstream(_ part: HTTPClientRequestPart) {
        guard let upstream else {
            pendingUpstream.append(part)
            if !connecting { connectUpstream() }
            return
        }
        if case .head = part {
            upstream.write(part, promise: nil)
        } else {
            upstream.writeAndFlush(part, promise: nil)
        }
    }

    /// Forgets the upstream connection, then closes it (closing first would report its end
    /// as if the upstream had hung up).
    private func dropUpstream() {
        let channel = upstream
        upstream = nil
        channel?.close(promise: nil)
    }

    private func connectUpstream() {
        guard let context else { return }
        connecting = true
        let owner = NIOLoopBound(self, eventLoop: context.eventLoop)
        let tlsContext = shared.upstreamTLSContext
        let host = shared.upstream.host
        ClientBootstrap(group: context.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext { try channel.pipeline.syncOperations.addHandler(UpstreamTLS.clientHandler(context: tlsContext, host: host)) }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamResponseHandler(owner: owner.value))
                }
            }
            .connect(host: shared.upstream.host, port: shared.upstream.port)
            .assumeIsolated()
            .whenComplete { [self] result in upstreamConnected(result) }
    }

    private func upstreamConnected(_ result: Result<any Channel, any Error>) {
        connecting = false
        switch result {
        case .success(let channel):
            guard self.context != nil else {
                channel.close(promise: nil)
                return
            }
            upstream = channel
            upstreamFailure = nil
            let parts = pendingUpstream
            pendingUpstream = []
            for part in parts { channel.write(part, promise: nil) }
            channel.flush()
        case .failure(let error):
            pendingUpstream = []
            answerInsteadOfUpstream(APIError(status: 502, "upstream \(shared.configuration.upstream) refused the connection: \(error)"), reason: "\(error)")
        }
    }

    private func upstreamTimedOut() {
        guard let current = exchange, current.responseHead == nil, !current.answered else { return }
        dropUpstream()
        pendingUpstream = []
        answerInsteadOfUpstream(APIError(status: 504, "upstream \(shared.configuration.upstream) did not answer within \(shared.configuration.upstreamTimeout)"), reason: "timeout")
    }

    // MARK: From the upstream

    func upstreamRead(_ part: HTTPClientResponsePart, from channel: any Channel) {
        guard channel === upstream, let current = exchange, !current.answered else { return }
        switch part {
        case .head(let head): responseHead(head)
        case .body(let body): responseBody(body)
        case .end: current.stream == nil ? finishExchange() : finishStream(.upstreamClosed)
        }
    }

    /// An error on the upstream connection, which then closes: kept when it is TLS's, to name
    /// the cause in the 502.
    func upstreamFailed(_ error: any Error, from channel: any Channel) {
        guard channel === upstream, TLSFailure.describe(error) != nil else { return }
        upstreamFailure = error
    }

    func upstreamClosed(_ channel: any Channel) {
        guard channel === upstream else { return }
        upstream = nil
        guard let current = exchange, !current.answered else { return }
        if current.stream != nil {
            finishStream(.error)
        } else if current.responseHead == nil, let failure = upstreamFailure {
            upstreamFailure = nil
            answerTLSFailure(failure)
        } else if current.responseHead == nil {
            answerInsteadOfUpstream(APIError(status: 502, "upstream \(shared.configuration.upstream) closed the connection before answering"), reason: "upstream closed the connection")
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
        let clientHead = ProxyHeaders.clientHead(head, version: current.head.version, keepAlive: current.keepAlive && !stopping)
        let isStream = head.headers["content-type"].first?.lowercased().hasPrefix("text/event-stream") == true
        if isStream {
            let request = current.recordedRequest(upstreamHost: shared.upstream.hostHeader)
            let stream = StreamInProgress(context: exchangeContext(for: request, current), request: request)
            let recorder = shared.recorder
            let status = Int(head.status.code)
            let reason = head.status.reasonPhrase
            let fields = ProxyHeaders.fields(head.headers)
            let log = stream.log
            let streamContext = stream.context
            lane.enqueue { await recorder.startStream(request, status: status, reason: reason, headers: fields, headDate: date, context: streamContext, into: log) }
            current.stream = stream
            context.writeAndFlush(wrapOutboundOut(.head(clientHead)), promise: nil)
        } else {
            context.write(wrapOutboundOut(.head(clientHead)), promise: nil)
        }
        exchange = current
    }

    private func responseBody(_ body: ByteBuffer) {
        guard var current = exchange, let context else { return }
        if var stream = current.stream {
            let recorder = shared.recorder
            let log = stream.log
            for event in stream.parser.feed(body.readableBytesView) {
                let raw = event.raw
                let arrived = WARCDate.now()
                lane.enqueue { await recorder.recordEvent(raw, arrived: arrived, in: log) }
            }
            stream.relayed += body.readableBytes
            current.stream = stream
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        } else {
            if current.responseBody.count < shared.configuration.maxRecordedBodyBytes {
                current.responseBody.append(contentsOf: body.readableBytesView)
            }
            if let held = current.held {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(held))), promise: nil)
            }
            current.held = body
        }
        exchange = current
    }

    // MARK: Ending exchanges

    /// Archives the exchange, then passes the held last part and the end to the client.
    private func finishExchange(upstreamError: String? = nil) {
        guard let current = exchange, let head = current.responseHead, let context else { return }
        exchange = nil
        let request = current.recordedRequest(upstreamHost: shared.upstream.hostHeader)
        let response = RecordedResponse(status: Int(head.status.code), reason: head.status.reasonPhrase, headers: ProxyHeaders.fields(head.headers),
                                        body: current.responseBody, date: current.responseDate ?? .now())
        let keepAlive = current.keepAlive && upstreamError == nil
        archiveThenSend(HTTPExchange(request: request, response: response, upstreamError: upstreamError), context: exchangeContext(for: request, current),
                        started: current.started, loop: context.eventLoop) { [self] in
            guard let context = self.context else { return }
            if let held = current.held { context.write(wrapOutboundOut(.body(.byteBuffer(held))), promise: nil) }
            endResponse(keepAlive: keepAlive)
        }
    }

    private func finishStream(_ end: StreamEnd) {
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
        switch end {
        case .upstreamClosed, .recorderStopped: endResponse(keepAlive: current.keepAlive && end == .upstreamClosed)
        case .error: context?.close(promise: nil)
        case .clientClosed: break
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
            closeAfterResponse = true
        }
        shared.logger.warning("\(current.head.method.rawValue) \(QueryString.path(of: current.head.uri)): \(error.error)")
        let request = current.recordedRequest(upstreamHost: shared.upstream.hostHeader)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let response = RecordedResponse(status: error.status, reason: HTTPResponseStatus(statusCode: error.status).reasonPhrase, headers: headers, body: JSONCoding.encode(error))
        archiveThenSend(HTTPExchange(request: request, response: response, upstreamError: reason), context: exchangeContext(for: request, current),
                        started: current.started, loop: context.eventLoop) { [self] in
            exchange = nil
            sendOwnResponse(error, keepAlive: current.keepAlive && !closeAfterResponse)
        }
    }

    private func archiveThenSend(_ exchange: HTTPExchange, context: ExchangeContext, started: ContinuousClock.Instant, loop: any EventLoop, then send: @escaping () -> Void) {
        let recorder = shared.recorder
        let archived = loop.makePromise(of: Void.self)
        lane.enqueue {
            await recorder.record(exchange, context: context, started: started)
            archived.succeed()
        }
        archived.futureResult.assumeIsolated().whenSuccess { send() }
    }

    private func sendOwnResponse(_ error: APIError, keepAlive: Bool) {
        guard let context else { return }
        let body = JSONCoding.encode(error)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: error.status), headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        endResponse(keepAlive: keepAlive)
    }

    private func endResponse(keepAlive: Bool) {
        guard let context else { return }
        let close = !keepAlive || closeAfterResponse || stopping
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { [self] _ in
            if close { self.context?.close(promise: nil) }
        }
    }

    /// Session, wallet and number of an exchange: a request without `X-Session-Id` belongs to
    /// the session of its `client_id` (secrets calls) or, naming a wallet, to that wallet's
    /// folder (the thread list). Called once per exchange.
    private func exchangeContext(for request: RecordedRequest, _ current: ExchangeInProgress) -> ExchangeContext {
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
        stopping = true
        if exchange == nil {
            context?.close(promise: nil)
        } else if exchange?.stream != nil {
            finishStream(.recorderStopped)
        }
    }
}
