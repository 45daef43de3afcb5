import AomiAPI
import AomiArchive
import Foundation
import NIOCore
import NIOHTTP1
import TLSSupport
import WARC

extension ProxyConnectionStateMachine {
    // MARK: The upstream link

    /// Sends a request part upstream, opening the link first when there is none.
    mutating func sendUpstream(_ part: HTTPClientRequestPart) {
        switch upstream {
        case .none:
            attempts += 1
            upstream = .connecting(attempt: attempts, pending: [part])
            emit(.connectUpstream(attempt: attempts))
        case .connecting(let attempt, var pending):
            pending.append(part)
            upstream = .connecting(attempt: attempt, pending: pending)
        case .connected:
            // A head waits for its body or end to be flushed with it.
            let isHead = if case .head = part { true } else { false }
            emit(.sendUpstream(part, flush: !isHead))
        }
    }

    /// Forgets the upstream link, then closes it (closing first would report its end as if
    /// the upstream had hung up). One still being opened is closed when it opens.
    mutating func dropUpstream() {
        if case .connected = upstream { emit(.closeUpstream) }
        upstream = .none
    }

    /// Connection `attempt` opened (`failure` nil) or failed. It is used only while the link
    /// still waits for it: one dropped meanwhile (the request was refused or timed out) is
    /// closed unused.
    mutating func upstreamConnected(attempt: Int, failure: (any Error)?) -> [ProxyAction] {
        guard case .connecting(let current, let pending) = upstream, current == attempt, !clientGone else {
            if failure == nil { emit(.closeNewUpstream) }
            return takeActions()
        }
        switch failure {
        case nil:
            upstream = .connected(attempt: attempt, tlsFailure: nil)
            emit(.adoptUpstream)
            for part in pending { emit(.sendUpstream(part, flush: false)) }
            emit(.flushUpstream)
        case let error as IOError where error.errnoCode == EMFILE || error.errnoCode == ENFILE:
            // No descriptor for the upstream connection: the backend never saw the request.
            upstream = .none
            emit(.noteFailure("out of file descriptors (no connection to the upstream could be opened)"))
            answerInsteadOfUpstream(ProxyAnswers.outOfDescriptors, reason: "out of file descriptors")
        case let error?:
            upstream = .none
            answerInsteadOfUpstream(APIError(status: 502, "upstream \(configuration.upstream) refused the connection: \(error)"), reason: "\(error)")
        }
        return takeActions()
    }

    /// The upstream did not send a response head in time: 504.
    mutating func upstreamTimedOut() -> [ProxyAction] {
        guard let current = exchange, current.responseHead == nil, !current.answered else { return [] }
        dropUpstream()
        answerInsteadOfUpstream(APIError(status: 504, "upstream \(configuration.upstream) did not answer within \(configuration.upstreamTimeout)"), reason: "timeout")
        return takeActions()
    }

    // MARK: From the upstream

    mutating func upstreamRead(_ part: HTTPClientResponsePart, attempt: Int) -> [ProxyAction] {
        guard upstream.isConnected(attempt), !clientGone, let current = exchange, !current.answered else { return [] }
        switch part {
        case .head(let head): responseHead(head)
        case .body(let body): responseBody(body)
        case .end: current.stream == nil ? finishExchange() : finishStream(.upstreamClosed)
        }
        return takeActions()
    }

    /// An error on upstream connection `attempt`, which then closes: kept when it is TLS's, to
    /// name the cause in the 502.
    mutating func upstreamFailed(_ error: any Error, attempt: Int) -> [ProxyAction] {
        guard upstream.isConnected(attempt), TLSFailure.describe(error) != nil else { return [] }
        upstream = .connected(attempt: attempt, tlsFailure: error)
        return []
    }

    mutating func upstreamClosed(attempt: Int) -> [ProxyAction] {
        guard case .connected(let current, let tlsFailure) = upstream, current == attempt else { return [] }
        upstream = .none
        guard let exchange, !exchange.answered else { return [] }
        if exchange.stream != nil {
            finishStream(.error)
        } else if exchange.responseHead == nil, let tlsFailure {
            emit(.explainTLSFailure(tlsFailure))
        } else if exchange.responseHead == nil {
            answerInsteadOfUpstream(
                APIError(status: 502, "upstream \(configuration.upstream) closed the connection before answering"), reason: "upstream closed the connection")
        } else {
            finishExchange(upstreamError: "upstream closed the connection mid-response")
        }
        return takeActions()
    }

    /// Why TLS to the upstream failed, after a second look at the certificate: a 502 naming it.
    mutating func tlsFailureExplained(_ cause: String?, failure: any Error) -> [ProxyAction] {
        let cause = cause ?? "\(failure)"
        answerInsteadOfUpstream(APIError(status: 502, "upstream \(configuration.upstream): TLS failed: \(cause)"), reason: "tls: \(cause)")
        return takeActions()
    }

    private mutating func responseHead(_ head: HTTPResponseHead) {
        guard var current = exchange else { return }
        emit(.cancelTimeout)
        current.responseHead = head
        current.responseHeadReceived = .now
        let date = WARCDate.now()
        current.responseDate = date
        if head.headers["content-type"].first?.lowercased().hasPrefix("text/event-stream") == true {
            let request = current.recordedRequest(upstreamHost: upstreamHost)
            let stream = StreamInProgress(context: environment.exchangeContext(request, current), request: request)
            emit(
                .startStreamRecording(
                    StreamStart(
                        request: request, status: Int(head.status.code), reason: head.status.reasonPhrase, headers: ProxyHeaders.fields(head.headers),
                        date: date, context: stream.context, log: stream.log)))
            current.stream = stream
            pendingStreamOutput = PendingStreamOutput(
                head: ProxyHeaders.clientHead(head, version: current.head.version, keepAlive: current.keepAlive && ending == .keepOpen))
        }
        exchange = current
    }

    private mutating func responseBody(_ body: ByteBuffer) {
        guard var current = exchange else { return }
        if var stream = current.stream {
            for event in stream.parser.feed(body.readableBytesView) {
                emit(.recordStreamEvent(event.raw, arrived: .now(), log: stream.log))
            }
            stream.relayed += body.readableBytes
            current.stream = stream
            if pendingStreamOutput != nil {
                pendingStreamOutput?.parts.append(body)
            } else {
                emit(.write(.body(.byteBuffer(body)), flush: true))
            }
        } else if !current.clientHeadSent {
            current.responseBody.append(contentsOf: body.readableBytesView)
            if current.responseBody.count > configuration.maxRecordedBodyBytes, let head = current.responseHead {
                // Too large to hold whole: the head and what came so far go now, the rest
                // streams with only its last part held.
                emit(.write(.head(ProxyHeaders.clientHead(head, version: current.head.version, keepAlive: current.keepAlive && ending == .keepOpen)), flush: false))
                emit(.write(.body(.byteBuffer(ByteBuffer(bytes: current.responseBody))), flush: true))
                current.clientHeadSent = true
            }
        } else {
            if let held = current.held { emit(.write(.body(.byteBuffer(held)), flush: true)) }
            current.held = body
        }
        exchange = current
    }
}
