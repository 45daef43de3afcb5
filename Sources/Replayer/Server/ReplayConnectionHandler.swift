import AomiAPI
import HTTPServing
import Logging
import NIOCore
import NIOHTTP1

/// One client connection to the replay, on NIO's HTTP/1 server pipeline as the proxy is:
/// requests come in whole, and NIO's pipelining handler hands over the next one only once the
/// answer to the previous has ended, so answers go out in request order however long one
/// takes (the recorded clock, a fallback, an updates stream kept open while its events flow).
final class ReplayConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let shared: ReplayShared
    private var context: ChannelHandlerContext?
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false
    /// A request is being answered: its end is not written yet.
    private var answering = false
    /// Whether the connection stays open after the answer being written.
    private var keepAlive = true
    private var stream: (session: String, sink: Int)?
    /// The server is stopping: the connection closes once the answer in flight is written.
    private var stopping = false
    /// A request declared a body over the limit: it is refused, and nothing more is read.
    private var refusedEarly = false

    init(shared: ReplayShared) {
        self.shared = shared
    }

    /// A replay connection's handlers behind its TLS handler, if any: the stop relay, NIO's
    /// HTTP/1 server codec with pipelining, and the replay.
    static func configure(_ pipeline: ChannelPipeline.SynchronousOperations, shared: ReplayShared) throws {
        try pipeline.addHandler(StopRelay())
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
        try pipeline.addHandler(ReplayConnectionHandler(shared: shared))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refusedEarly else { return }
        switch unwrapInboundIn(data) {
        case let .head(requestHead):
            answering = true
            keepAlive = requestHead.isKeepAlive
            if let declared = requestHead.headers.first(name: "content-length").flatMap({ Int($0) }), declared > shared.configuration.maxBodyBytes {
                // Answered (413) at once and the connection closed: waiting for a body this large
                // would hold the client for nothing.
                refusedEarly = true
                refuseTooLarge(requestHead)
                return
            }
            head = requestHead
            body = nil
            bodyTooLarge = false
        case var .body(part):
            guard !bodyTooLarge else { return }
            if (body?.readableBytes ?? 0) + part.readableBytes > shared.configuration.maxBodyBytes {
                bodyTooLarge = true
                body = nil
            } else if body == nil {
                body = part
            } else {
                body!.writeBuffer(&part)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            if bodyTooLarge {
                refuseTooLarge(requestHead)
            } else {
                answer(requestHead, body: bytes)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is StreamFinished {
            endStream()
        } else if event is StopRelay.StopEvent {
            stopping = true
            if stream != nil || !answering { context.close(promise: nil) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let stream { shared.engine.detach(stream.sink, session: stream.session) }
        stream = nil
        self.context = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, context.channel.isActive, !answering {
            shared.logger.warning("malformed request from \(context.remoteAddress?.description ?? "?"): \(error)")
            keepAlive = false
            let body = JSONCoding.encode(["error": "malformed HTTP request: \(error)"])
            respond(ReplayResponseHead.json(status: 400, body: body, extra: [("Connection", "close")]), body: body)
        } else {
            // A malformed request while an answer is in flight, or from a client already gone:
            // no one to tell.
            context.close(promise: nil)
        }
    }

    // MARK: Writing

    /// Writes a whole answer: head, body and end.
    private func respond(_ head: HTTPResponseHead, body: [UInt8]) {
        guard let context else { return }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil) }
        endAnswer()
    }

    /// Writes the end of the answer in flight; closes the connection after it when the client
    /// or a stop asks. NIO then hands over the next request, if one waits.
    private func endAnswer() {
        guard let context else { return }
        answering = false
        let close = !keepAlive || stopping
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func refuseTooLarge(_ requestHead: HTTPRequestHead) {
        keepAlive = false
        shared.logger.warning("413: \(requestHead.method) \(SecretFields.loggable(requestHead.uri).prefix(300)) body over \(shared.configuration.maxBodyBytes) bytes")
        let cors = shared.configuration.cors.responseFields(origin: requestHead.headers.first(name: "origin"))
        let message = JSONCoding.encode(["error": "request body larger than \(shared.configuration.maxBodyBytes) bytes"])
        respond(ReplayResponseHead.json(status: 413, body: message, extra: cors + [("Connection", "close")]), body: message)
    }

    // MARK: Answering

    private func answer(_ requestHead: HTTPRequestHead, body: [UInt8]) {
        let origin = requestHead.headers.first(name: "origin")
        let cors = shared.configuration.cors.responseFields(origin: origin)
        let path = String(requestHead.uri.prefix { $0 != "?" })
        // A target in absolute form comes from a client that uses the replay as its proxy: no
        // page makes a browser send one, so its Host (the upstream's name) is not checked.
        let isProxyRequest = requestHead.uri.hasPrefix("http://") || requestHead.uri.hasPrefix("https://")
        if !isProxyRequest, let host = requestHead.headers.first(name: "host"), !shared.configuration.hosts.allows(host) {
            let message = shared.configuration.hosts.refusal(host)
            shared.logger.warning("403: \(requestHead.method) \(path.prefix(100)): \(message)")
            return respondJSON(403, ["error": message], extra: cors)
        }
        if requestHead.method == .OPTIONS {
            return answerPreflight(requestHead, body: body, origin: origin)
        }
        let mayControl = origin == nil || shared.configuration.cors.allowedOrigin(origin) != nil
        if requestHead.headers.first(name: "x-aomi-replay-reset") == "1", mayControl { shared.engine.reset() }
        if path.hasPrefix("/_replay/") {
            return control(requestHead, path, mayControl: mayControl, cors: cors)
        }
        if let oversized = RequestIdentity.oversizedIdentifier(sessionID: requestHead.headers.first(name: AomiHeader.sessionID), target: requestHead.uri) {
            shared.logger.warning("400: \(requestHead.method) \(path.prefix(100)): \(oversized)")
            return respondJSON(400, ["error": oversized], extra: cors)
        }
        let request = ReplayRequest(
            method: requestHead.method.rawValue, target: QueryString.target(ofURI: requestHead.uri),
            fields: requestHead.headers.map { (name: $0.name, value: $0.value) }, body: body)
        let outcome = shared.engine.respond(to: request)
        if outcome.kind == .miss, let fallback = shared.fallback {
            return forward(request, to: fallback, cors: cors)
        }
        let head = ReplayResponseHead.of(outcome.answer, extra: cors)
        if outcome.delay > .zero, let loop = context?.eventLoop {
            let owner = NIOLoopBound(self, eventLoop: loop)
            loop.scheduleTask(in: TimeAmount(outcome.delay)) { owner.value.write(head, outcome) }
            return
        }
        write(head, outcome)
    }

    /// Writes an engine's answer: a whole response, or a stream's head, after which the
    /// stream stays open for its events.
    private func write(_ head: HTTPResponseHead, _ outcome: ReplayOutcome) {
        guard let session = outcome.streamSession else { return respond(head, body: outcome.answer.body) }
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
        stream = (session, shared.engine.attach(StreamSink(channel: context.channel), session: session))
    }

    /// The engine ended the stream: its last chunk goes out, and the next request may come.
    private func endStream() {
        if let stream { shared.engine.detach(stream.sink, session: stream.session) }
        stream = nil
        endAnswer()
    }

    private func respondJSON(_ status: Int, _ value: [String: String], extra: [(String, String)]) {
        let body = JSONCoding.encode(value)
        respond(ReplayResponseHead.json(status: status, body: body, extra: extra), body: body)
    }

    /// A CORS preflight the recording holds is answered as recorded; any other `OPTIONS` by
    /// the `--cors` policy.
    private func answerPreflight(_ requestHead: HTTPRequestHead, body: [UInt8], origin: String?) {
        let request = ReplayRequest(
            method: "OPTIONS", target: QueryString.target(ofURI: requestHead.uri),
            fields: requestHead.headers.map { (name: $0.name, value: $0.value) }, body: body)
        let recorded = shared.engine.respond(to: request, preflight: true)
        if recorded.kind == .hit, recorded.streamSession == nil {
            return respond(ReplayResponseHead.of(recorded.answer, extra: []), body: recorded.answer.body)
        }
        let fields = shared.configuration.cors.preflightFields(origin: origin, requestedHeaders: requestHead.headers.first(name: "access-control-request-headers"))
        respond(ReplayResponseHead.make(status: 204, reason: "", fields: [], extra: fields ?? [], bodyLength: 0), body: [])
    }

    /// A miss sent to the live backend: its answer is written through this handler, in order.
    private func forward(_ request: ReplayRequest, to fallback: ReplayFallback, cors: [(String, String)]) {
        guard let loop = context?.eventLoop else { return }
        let owner = NIOLoopBound(self, eventLoop: loop)
        fallback.forward(request, extraFields: cors) { part in
            try await loop.submit { owner.value.writeForwarded(part) }.get()
        }
    }

    private func writeForwarded(_ part: HTTPServerResponsePart) {
        guard let context else { return }
        if case .end = part { return endAnswer() }
        context.writeAndFlush(wrapOutboundOut(part), promise: nil)
    }

    /// `POST /_replay/reset` rewinds every cursor; `GET /_replay/status` shows counters and aliases.
    /// A page from an origin the replay does not allow gets 403, and a reset must be a POST with
    /// a JSON content type: a form any web page can post without a preflight cannot reset.
    private func control(_ head: HTTPRequestHead, _ path: String, mayControl: Bool, cors: [(String, String)]) {
        guard mayControl else {
            let origin = head.headers.first(name: "origin") ?? ""
            shared.logger.warning("403: \(head.method) \(path) from origin \(origin.prefix(100)), which may not control the replay")
            return respondJSON(403, ["error": "origin \(origin.prefix(100)) may not control the replay (allow it with --cors)"], extra: cors)
        }
        switch (head.method, path) {
        case (.POST, "/_replay/reset"):
            guard head.headers.first(name: "content-type")?.lowercased().hasPrefix("application/json") == true else {
                return respondJSON(415, ["error": "POST /_replay/reset needs Content-Type: application/json"], extra: cors)
            }
            shared.engine.reset()
            let body = JSONCoding.encode(["reset": true])
            respond(ReplayResponseHead.json(status: 200, body: body, extra: cors), body: body)
        case (.GET, "/_replay/status"):
            let body = JSONCoding.encode(shared.engine.status())
            respond(ReplayResponseHead.json(status: 200, body: body, extra: cors), body: body)
        default:
            respondJSON(404, ["error": "unknown replay control \(head.method) \(path); use POST /_replay/reset or GET /_replay/status"], extra: cors)
        }
    }
}
