import AomiAPI
import AomiArchive
import HTTPServing
import Logging
import NIOCore
import NIOHTTP1

/// One client connection to the replay: reads requests, writes the engine's answers (the
/// replay's own endpoints, CORS preflights and fallbacks included) in request order, and
/// keeps an updates stream open while its events flow.
final class ReplayConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private let shared: ReplayShared
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false
    /// Requests waiting while an earlier one is answered later (recorded clock, fallback, stream).
    private var waiting: [(head: HTTPRequestHead, body: [UInt8], tooLarge: Bool)] = []
    private var busy = false
    private var stream: (session: String, sink: Int)?
    /// The server is stopping: the connection closes once the answer in flight is written.
    private var stopping = false
    /// A request declared a body over the limit: it is refused, and nothing more is read.
    private var refusedEarly = false

    init(shared: ReplayShared) {
        self.shared = shared
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refusedEarly else { return }
        switch unwrapInboundIn(data) {
        case let .head(requestHead):
            if let declared = requestHead.headers.first(name: "content-length").flatMap({ Int($0) }), declared > shared.configuration.maxBodyBytes {
                // Answered (413) at once and the connection closed: waiting for a body this large
                // would hold the client for nothing.
                refusedEarly = true
                waiting.append((requestHead, [], true))
                answerNext(context: context)
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
            waiting.append((requestHead, bytes, bodyTooLarge))
            answerNext(context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is StreamFinished {
            if let stream { shared.engine.detach(stream.sink, session: stream.session) }
            stream = nil
            busy = false
            answerNext(context: context)
        } else if let written = event as? AnswerWritten {
            if let session = written.streamSession {
                open(stream: session, channel: context.channel)
            } else if !written.keepAlive {
                context.close(promise: nil)
            } else {
                busy = false
                answerNext(context: context)
            }
        } else if event is ChannelShouldQuiesceEvent {
            stopping = true
            if stream != nil || !busy { context.close(promise: nil) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let stream { shared.engine.detach(stream.sink, session: stream.session) }
        stream = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, !context.channel.isActive {
            // The client left in the middle of a request: no one to tell.
            context.close(promise: nil)
        } else if error is HTTPParserError {
            shared.logger.warning("malformed request from \(context.remoteAddress?.description ?? "?"): \(error)")
            let body = JSONCoding.encode(["error": "malformed HTTP request: \(error)"])
            let bytes = HTTPResponseBytes.json(status: 400, reason: "Bad Request", body: body, extra: [("Connection", "close")])
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(bytes: bytes))).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    // MARK: - Answering

    private func answerNext(context: ChannelHandlerContext) {
        if stopping, !busy {
            context.close(promise: nil)
            return
        }
        while !busy, stream == nil, !waiting.isEmpty {
            let (requestHead, bytes, tooLarge) = waiting.removeFirst()
            answer(requestHead, body: bytes, tooLarge: tooLarge, context: context)
        }
    }

    private func answer(_ requestHead: HTTPRequestHead, body: [UInt8], tooLarge: Bool, context: ChannelHandlerContext) {
        let keepAlive = requestHead.isKeepAlive
        let origin = requestHead.headers.first(name: "origin")
        let cors = shared.configuration.cors.responseFields(origin: origin)
        if tooLarge {
            shared.logger.warning("413: \(requestHead.method) \(SecretFields.loggable(requestHead.uri).prefix(300)) body over \(shared.configuration.maxBodyBytes) bytes")
            let message = JSONCoding.encode(["error": "request body larger than \(shared.configuration.maxBodyBytes) bytes"])
            write(HTTPResponseBytes.json(status: 413, reason: "Content Too Large", body: message, extra: cors + [("Connection", "close")]), keepAlive: false, context: context)
            return
        }
        let path = String(requestHead.uri.prefix { $0 != "?" })
        // A target in absolute form comes from a client that uses the replay as its proxy: no
        // page makes a browser send one, so its Host (the upstream's name) is not checked.
        let isProxyRequest = requestHead.uri.hasPrefix("http://") || requestHead.uri.hasPrefix("https://")
        if !isProxyRequest, let host = requestHead.headers.first(name: "host"), !shared.configuration.hosts.allows(host) {
            let message = shared.configuration.hosts.refusal(host)
            shared.logger.warning("403: \(requestHead.method) \(path.prefix(100)): \(message)")
            write(HTTPResponseBytes.json(status: 403, reason: "Forbidden", body: JSONCoding.encode(["error": message]), extra: cors), keepAlive: keepAlive, context: context)
            return
        }
        if requestHead.method == .OPTIONS {
            answerPreflight(requestHead, body: body, origin: origin, keepAlive: keepAlive, context: context)
            return
        }
        let mayControl = origin == nil || shared.configuration.cors.allowedOrigin(origin) != nil
        if requestHead.headers.first(name: "x-aomi-replay-reset") == "1", mayControl { shared.engine.reset() }
        if path == MetricsEndpoint.path, let metrics = shared.configuration.metrics {
            write(metricsAnswer(requestHead, metrics, cors: cors), keepAlive: keepAlive, context: context)
            return
        }
        if path.hasPrefix("/_replay/") {
            write(control(requestHead, path, mayControl: mayControl, cors: cors), keepAlive: keepAlive, context: context)
            return
        }
        if let oversized = RequestIdentity.oversizedIdentifier(sessionID: requestHead.headers.first(name: AomiHeader.sessionID), target: requestHead.uri) {
            shared.logger.warning("400: \(requestHead.method) \(path.prefix(100)): \(oversized)")
            write(HTTPResponseBytes.json(status: 400, reason: "Bad Request", body: JSONCoding.encode(["error": oversized]), extra: cors), keepAlive: keepAlive, context: context)
            return
        }
        let request = ReplayRequest(
            method: requestHead.method.rawValue, target: QueryString.target(ofURI: requestHead.uri),
            fields: requestHead.headers.map { HTTPMessageHead.Field(name: $0.name, value: $0.value) }, body: body)
        let outcome = shared.engine.respond(to: request)
        let bytes = preparedBytes(of: outcome, origin: origin, cors: cors)
        let forwarded = outcome.kind == .miss && shared.fallback != nil
        ReplayMetrics.answered(
            method: request.method, target: request.target, status: forwarded ? nil : outcome.status, outcome: forwarded ? "fallback" : outcome.kind.rawValue)
        if outcome.kind == .miss, let fallback = shared.fallback {
            busy = true
            fallback.forward(request, extraFields: cors, keepAlive: keepAlive, channel: context.channel)
            return
        }
        if outcome.delay > .zero {
            busy = true
            let channel = context.channel
            let written = AnswerWritten(streamSession: outcome.streamSession, keepAlive: keepAlive)
            context.eventLoop.scheduleTask(in: TimeAmount(outcome.delay)) {
                channel.writeAndFlush(bytes, promise: nil)
                channel.pipeline.fireUserInboundEventTriggered(written)
            }
            return
        }
        write(bytes, keepAlive: keepAlive || outcome.streamSession != nil, context: context)
        if let session = outcome.streamSession { open(stream: session, channel: context.channel) }
    }

    /// A CORS preflight the recording holds is answered as recorded; any other `OPTIONS` by
    /// the `--cors` policy.
    private func answerPreflight(_ requestHead: HTTPRequestHead, body: [UInt8], origin: String?, keepAlive: Bool, context: ChannelHandlerContext) {
        let request = ReplayRequest(
            method: "OPTIONS", target: QueryString.target(ofURI: requestHead.uri),
            fields: requestHead.headers.map { HTTPMessageHead.Field(name: $0.name, value: $0.value) }, body: body)
        let recorded = shared.engine.respond(to: request, preflight: true)
        if recorded.kind == .hit, recorded.streamSession == nil {
            write(HTTPResponseBytes.bytes(of: recorded.answer, extra: []), keepAlive: keepAlive, context: context)
            return
        }
        let fields = shared.configuration.cors.preflightFields(origin: origin, requestedHeaders: requestHead.headers.first(name: "access-control-request-headers"))
        write(HTTPResponseBytes.response(status: 204, reason: "No Content", fields: [], extra: fields ?? [], body: []), keepAlive: keepAlive, context: context)
    }

    private func open(stream session: String, channel: any Channel) {
        busy = true
        let sink = StreamSink(channel: channel)
        stream = (session, shared.engine.attach(sink, session: session))
    }

    /// An answer's bytes: a recorded one is made once per way it is served (CORS origin, session ids replaced).
    private func preparedBytes(of outcome: ReplayOutcome, origin: String?, cors: [(String, String)]) -> ByteBuffer {
        guard let recorded = outcome.recorded else { return ByteBuffer(bytes: HTTPResponseBytes.bytes(of: outcome.answer, extra: cors)) }
        return shared.prepared.bytes(of: recorded, origin: cors.isEmpty ? nil : origin) { HTTPResponseBytes.bytes(of: outcome.answer, extra: cors) }
    }

    private func write(_ bytes: [UInt8], keepAlive: Bool, context: ChannelHandlerContext) {
        write(context.channel.allocator.buffer(bytes: bytes), keepAlive: keepAlive, context: context)
    }

    private func write(_ buffer: ByteBuffer, keepAlive: Bool, context: ChannelHandlerContext) {
        let written = context.writeAndFlush(wrapOutboundOut(buffer))
        let channel = context.channel
        if !keepAlive { written.whenComplete { _ in channel.close(promise: nil) } }
    }

    /// `GET /metrics`: the Prometheus text, read-only (405 for other methods).
    private func metricsAnswer(_ head: HTTPRequestHead, _ metrics: MetricsEndpoint, cors: [(String, String)]) -> [UInt8] {
        guard head.method == .GET || head.method == .HEAD else {
            let body = JSONCoding.encode(["error": "\(MetricsEndpoint.path) is read-only: use GET"])
            return HTTPResponseBytes.json(status: 405, reason: "Method Not Allowed", body: body, extra: cors + [("Allow", "GET, HEAD")])
        }
        let body = metrics.render()
        let fields = [HTTPMessageHead.Field(name: "Content-Type", value: MetricsEndpoint.contentType), HTTPMessageHead.Field(name: "Cache-Control", value: "no-store")]
        let bytes = HTTPResponseBytes.response(status: 200, reason: "OK", fields: fields, extra: cors, body: body)
        return head.method == .HEAD ? Array(bytes.prefix(bytes.count - body.count)) : bytes
    }

    /// `POST /_replay/reset` rewinds every cursor; `GET /_replay/status` shows counters and aliases.
    /// A page from an origin the replay does not allow gets 403, and a reset must be a POST with
    /// a JSON content type: a form any web page can post without a preflight cannot reset.
    private func control(_ head: HTTPRequestHead, _ path: String, mayControl: Bool, cors: [(String, String)]) -> [UInt8] {
        guard mayControl else {
            let origin = head.headers.first(name: "origin") ?? ""
            shared.logger.warning("403: \(head.method) \(path) from origin \(origin.prefix(100)), which may not control the replay")
            let body = JSONCoding.encode(["error": "origin \(origin.prefix(100)) may not control the replay (allow it with --cors)"])
            return HTTPResponseBytes.json(status: 403, reason: "Forbidden", body: body, extra: cors)
        }
        switch (head.method, path) {
        case (.POST, "/_replay/reset"):
            guard head.headers.first(name: "content-type")?.lowercased().hasPrefix("application/json") == true else {
                let body = JSONCoding.encode(["error": "POST /_replay/reset needs Content-Type: application/json"])
                return HTTPResponseBytes.json(status: 415, reason: "Unsupported Media Type", body: body, extra: cors)
            }
            shared.engine.reset()
            return HTTPResponseBytes.json(status: 200, reason: "OK", body: JSONCoding.encode(["reset": true]), extra: cors)
        case (.GET, "/_replay/status"):
            return HTTPResponseBytes.json(status: 200, reason: "OK", body: JSONCoding.encode(shared.engine.status()), extra: cors)
        default:
            let body = JSONCoding.encode(["error": "unknown replay control \(head.method) \(path); use POST /_replay/reset or GET /_replay/status"])
            return HTTPResponseBytes.json(status: 404, reason: "Not Found", body: body, extra: cors)
        }
    }
}

/// Tells a connection's handler that a delayed or forwarded answer has been written.
struct AnswerWritten: Sendable {
    var streamSession: String?
    var keepAlive: Bool
}
