import AomiAPI
import AomiArchive
import HTTPTypes
import NIOCore
import NIOHTTP1
import WARC

extension ProxyConnectionStateMachine {
    // MARK: Ending exchanges

    /// Archives the exchange; the response (or its held last part) and the end go to the
    /// client once `exchangeArchived` says whether it was archived.
    mutating func finishExchange(upstreamError: String? = nil) {
        guard let current = exchange, let head = current.responseHead else { return }
        exchange = nil
        let request = current.recordedRequest(upstreamHost: upstreamHost)
        let response = CapturedResponse(
            status: Int(head.status.code), reason: head.status.reasonPhrase, headers: ProxyHeaders.fields(head.headers),
            body: current.responseBody, date: current.responseDate ?? .now())
        awaitingArchive = .upstream(
            UpstreamReply(
                head: head, requestVersion: current.head.version, body: current.responseBody, held: current.held, clientHeadSent: current.clientHeadSent,
                keepAlive: current.keepAlive && upstreamError == nil))
        emit(
            .archive(
                HTTPExchange(request: request, response: response, upstreamError: upstreamError), environment.exchangeContext(request, current),
                started: current.started, timing: current.upstreamTiming))
    }

    /// The proxy's own answer (502, 504, 503) to a request the upstream did not answer,
    /// recorded with the reason before the client gets it.
    mutating func answerInsteadOfUpstream(_ error: APIError, reason: String) {
        guard var current = exchange, !current.answered, !clientGone else { return }
        emit(.cancelTimeout)
        current.answered = true
        exchange = current
        if !current.requestEnded {
            discardingRequest = true
            ending.closeAfterResponse()
        }
        emit(.log(.warning, "\(current.head.method.rawValue) \(QueryString.path(of: current.head.uri)): \(error.error)"))
        let request = current.recordedRequest(upstreamHost: upstreamHost)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let response = CapturedResponse(status: error.status, reason: HTTPResponseStatus(statusCode: error.status).reasonPhrase, headers: headers, body: JSONCoding.encode(error))
        awaitingArchive = .own(error, requestKeepAlive: current.keepAlive)
        emit(
            .archive(
                HTTPExchange(request: request, response: response, upstreamError: reason), environment.exchangeContext(request, current),
                started: current.started, timing: nil))
    }

    /// The exchange was archived (`failure` nil) or could not be: the client gets its answer,
    /// marked `X-Aomi-Recorded: no` after a failure, or a 503 instead under `requireRecording`.
    mutating func exchangeArchived(failure: String?) -> [ProxyAction] {
        guard let reply = awaitingArchive else { return [] }
        awaitingArchive = nil
        let refuse = failure != nil && configuration.requireRecording
        switch reply {
        case .own(let error, let requestKeepAlive):
            exchange = nil
            let keepAlive = requestKeepAlive && ending == .keepOpen
            if let failure, refuse {
                sendOwnResponse(ProxyAnswers.notRecorded(failure), keepAlive: keepAlive, notRecorded: true)
            } else {
                sendOwnResponse(error, keepAlive: keepAlive, notRecorded: failure != nil)
            }
        case .upstream(let reply) where reply.clientHeadSent:
            // Too late for a 503: the client is told by a response that never ends.
            if refuse {
                emitToClient(.closeClient)
            } else {
                if let held = reply.held { emitToClient(.write(.body(.byteBuffer(held)), flush: false)) }
                endResponse(keepAlive: reply.keepAlive)
            }
        case .upstream(let reply):
            if let failure, refuse {
                sendOwnResponse(ProxyAnswers.notRecorded(failure), keepAlive: reply.keepAlive, notRecorded: true)
            } else {
                var clientHead = ProxyHeaders.clientHead(reply.head, version: reply.requestVersion, keepAlive: reply.keepAlive && ending == .keepOpen)
                if failure != nil { clientHead.headers.add(name: Self.recordedHeader, value: "no") }
                emitToClient(.write(.head(clientHead), flush: false))
                if !reply.body.isEmpty { emitToClient(.write(.body(.byteBuffer(ByteBuffer(bytes: reply.body))), flush: false)) }
                endResponse(keepAlive: reply.keepAlive)
            }
        }
        return takeActions()
    }

    // MARK: Streams

    /// The stream's start is archived (or failed to be): its head goes out, with what waited
    /// behind it, or, when recording is required and failed, a 503 instead.
    mutating func streamStartArchived(failure: String?) -> [ProxyAction] {
        guard let pending = pendingStreamOutput, !clientGone else { return [] }
        pendingStreamOutput = nil
        if let failure, configuration.requireRecording {
            if exchange?.stream != nil {
                dropUpstream()
                finishStream(.clientClosed, toClient: false)
            }
            ending.closeAfterResponse()
            sendOwnResponse(ProxyAnswers.notRecorded(failure), keepAlive: false, notRecorded: true)
            return takeActions()
        }
        var head = pending.head
        if failure != nil { head.headers.add(name: Self.recordedHeader, value: "no") }
        emit(.write(.head(head), flush: false))
        for part in pending.parts { emit(.write(.body(.byteBuffer(part)), flush: false)) }
        emit(.flush)
        finishStreamOutput(pending.end)
        return takeActions()
    }

    /// An event of the stream with this log could not be archived: with `requireRecording` the
    /// stream is cut (recorded as ended by `error`), so the client reconnects and learns.
    mutating func streamEventNotArchived(_ log: StreamLog) -> [ProxyAction] {
        guard configuration.requireRecording, let stream = exchange?.stream, stream.log === log else { return [] }
        finishStream(.error)
        return takeActions()
    }

    /// Ends the current stream's recording; unless `toClient` is false, ends what the client
    /// gets as the end says (or notes it, while the head still waits for the start record).
    mutating func finishStream(_ end: StreamEnd, toClient: Bool = true) {
        guard let current = exchange, let stream = current.stream, let head = current.responseHead else { return }
        exchange = nil
        emit(
            .endStreamRecording(
                StreamFinish(
                    log: stream.log, end: end, leftover: stream.parser.remainder, relayed: stream.relayed, request: stream.request,
                    status: Int(head.status.code), context: stream.context)))
        guard toClient else { return }
        let output: StreamOutputEnd?
        switch end {
        case .upstreamClosed, .recorderStopped: output = .response(keepAlive: current.keepAlive && end == .upstreamClosed)
        case .error, .truncated: output = .close
        case .clientClosed: output = nil
        }
        if pendingStreamOutput != nil {
            pendingStreamOutput?.end = output
        } else {
            finishStreamOutput(output)
        }
    }

    private mutating func finishStreamOutput(_ output: StreamOutputEnd?) {
        switch output {
        case .response(let keepAlive): endResponse(keepAlive: keepAlive)
        case .close: emitToClient(.closeClient)
        case nil: break
        }
    }

    // MARK: Own answers

    mutating func sendOwnResponse(_ error: APIError, keepAlive: Bool, notRecorded: Bool = false) {
        sendJSON(status: error.status, body: JSONCoding.encode(error), keepAlive: keepAlive, extraHeaders: notRecorded ? [(Self.recordedHeader, "no")] : [])
    }

    mutating func sendJSON(status: Int, body: [UInt8], keepAlive: Bool, withBody: Bool = true, extraHeaders: [(String, String)] = []) {
        sendOwn(status: status, contentType: "application/json", body: body, keepAlive: keepAlive, withBody: withBody, extraHeaders: extraHeaders)
    }

    mutating func sendOwn(status: Int, contentType: String, body: [UInt8], keepAlive: Bool, withBody: Bool = true, extraHeaders: [(String, String)] = []) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        emitToClient(.write(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)), flush: false))
        if withBody { emitToClient(.write(.body(.byteBuffer(ByteBuffer(bytes: body))), flush: false)) }
        endResponse(keepAlive: keepAlive)
    }

    /// Ends the response; the connection closes after it unless both sides keep it open.
    mutating func endResponse(keepAlive: Bool) {
        emitToClient(.endResponse(close: !keepAlive || ending != .keepOpen))
    }

    /// Emits an action for the client connection, unless it is gone.
    mutating func emitToClient(_ action: ProxyAction) {
        guard !clientGone else { return }
        emit(action)
    }
}
