import AomiAPI
import AomiArchive
import NIOCore
import NIOHTTP1
import Testing

@testable import Recorder

/// The proxy's connection logic as a value: events in, actions out, no channel.
@Suite struct ProxyConnectionStateMachineTests {
    static let upstream = "http://127.0.0.1:9"

    static func machine(requireRecording: Bool = false, descriptorsExhausted: Bool = false, recordingFailing: Bool = false) -> ProxyConnectionStateMachine {
        let environment = ProxyEnvironment(
            descriptorsExhausted: { descriptorsExhausted }, recordingFailing: { recordingFailing }, nextSequence: { $0 == nil ? nil : 1 },
            exchangeContext: { _, exchange in ExchangeContext(sessionID: exchange.sessionID, wallet: nil, sequence: exchange.sequence, origin: upstream) })
        return ProxyConnectionStateMachine(
            configuration: RecorderConfiguration(upstream: upstream, maxRequestBodyBytes: 1000, requireRecording: requireRecording), upstreamHost: "127.0.0.1:9",
            environment: environment)
    }

    static func request(_ method: HTTPMethod = .GET, _ uri: String, _ headers: [(String, String)] = []) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders([("Host", "proxy")] + headers))
    }

    static func response(_ status: HTTPResponseStatus = .ok, _ headers: [(String, String)]) -> HTTPClientResponsePart {
        .head(HTTPResponseHead(version: .http1_1, status: status, headers: HTTPHeaders(headers)))
    }

    /// One line per action, enough to compare sequences.
    static func lines(_ actions: [ProxyAction]) -> [String] {
        actions.map { action in
            switch action {
            case .write(.head(let head), _): "write head \(head.status.code)"
            case .write(.body(.byteBuffer(let body)), _): "write body \(body.readableBytes)"
            case .write: "write other"
            case .flush: "flush"
            case .endResponse(let close): close ? "end, close" : "end"
            case .closeClient: "close client"
            case .connectUpstream(let attempt): "connect \(attempt)"
            case .adoptUpstream: "adopt"
            case .closeNewUpstream: "close new upstream"
            case .sendUpstream(.head(let head), _): "send head \(head.method.rawValue) \(head.uri)"
            case .sendUpstream(.body, _): "send body"
            case .sendUpstream(.end, _): "send end"
            case .flushUpstream: "flush upstream"
            case .closeUpstream: "close upstream"
            case .startTimeout: "start timeout"
            case .cancelTimeout: "cancel timeout"
            case .archive(let exchange, _, _, _): "archive \(exchange.request.method) \(exchange.request.target) \(exchange.response.status)"
            case .startStreamRecording: "start stream"
            case .recordStreamEvent: "record event"
            case .endStreamRecording(let finish): "end stream \(finish.end.rawValue)"
            case .noteFailure: "note failure"
            case .readHealth(let withBody): "read health \(withBody)"
            case .explainTLSFailure: "explain tls"
            case .log: "log"
            }
        }
    }

    static func heads(_ actions: [ProxyAction]) -> [HTTPResponseHead] {
        actions.compactMap { if case .write(.head(let head), _) = $0 { head } else { nil } }
    }

    /// A request forwarded and answered: upstream opened at the first part, the response held
    /// until archived.
    static func answered(_ machine: inout ProxyConnectionStateMachine, body: String = "ok") -> [ProxyAction] {
        #expect(lines(machine.requestHead(request(.GET, "/api/state", [("X-Session-Id", "s1")]))) == ["start timeout", "connect 1"])
        #expect(lines(machine.requestEnd()) == [])
        #expect(lines(machine.upstreamConnected(attempt: 1, failure: nil)) == ["adopt", "send head GET /api/state", "send end", "flush upstream"])
        #expect(lines(machine.upstreamRead(response(.ok, [("Content-Length", "\(body.utf8.count)")]), attempt: 1)) == ["cancel timeout"])
        #expect(lines(machine.upstreamRead(.body(ByteBuffer(string: body)), attempt: 1)) == [])
        return machine.upstreamRead(.end(nil), attempt: 1)
    }

    @Test func aResponseReachesTheClientOnlyOnceItsExchangeIsArchived() {
        var machine = Self.machine()
        #expect(Self.lines(Self.answered(&machine)) == ["archive GET /api/state 200"])
        let reply = machine.exchangeArchived(failure: nil)
        #expect(Self.lines(reply) == ["write head 200", "write body 2", "end"])
        #expect(Self.heads(reply).first?.headers[ProxyConnectionStateMachine.recordedHeader] == [])
    }

    @Test func aFailedWriteMarksTheAnswerOrRefusesItUnderRequireRecording() {
        var marked = Self.machine()
        _ = Self.answered(&marked)
        let reply = marked.exchangeArchived(failure: "disk full")
        #expect(Self.lines(reply) == ["write head 200", "write body 2", "end"])
        #expect(Self.heads(reply).first?.headers[ProxyConnectionStateMachine.recordedHeader] == ["no"])

        var strict = Self.machine(requireRecording: true)
        _ = Self.answered(&strict)
        let refused = strict.exchangeArchived(failure: "disk full")
        #expect(Self.lines(refused).first == "write head 503")
        #expect(Self.heads(refused).first?.headers[ProxyConnectionStateMachine.recordedHeader] == ["no"])
    }

    @Test func whileWritesFailRequireRecordingAnswersWithoutForwarding() {
        var machine = Self.machine(requireRecording: true, recordingFailing: true)
        #expect(
            Self.lines(machine.requestHead(Self.request(.POST, "/api/chat?message=hi"))) == ["start timeout", "cancel timeout", "log", "archive POST /api/chat?message=hi 503"])
        #expect(Self.lines(machine.requestBody(ByteBuffer(string: "x"))) == [], "nothing is sent upstream")
        #expect(Self.lines(machine.exchangeArchived(failure: nil)) == ["write head 503", "write body \(JSONCoding.encode(ProxyAnswers.notForwarded).count)", "end, close"])
    }

    @Test func anUpstreamConnectionThatOpensAfterTheTimeoutIsClosedUnused() {
        var machine = Self.machine()
        _ = machine.requestHead(Self.request(.GET, "/api/state"))
        _ = machine.requestEnd()
        #expect(Self.lines(machine.upstreamTimedOut()) == ["cancel timeout", "log", "archive GET /api/state 504"])
        #expect(Self.lines(machine.upstreamConnected(attempt: 1, failure: nil)) == ["close new upstream"])
        #expect(Self.lines(machine.exchangeArchived(failure: nil)).first == "write head 504")
        #expect(Self.lines(machine.requestHead(Self.request(.GET, "/api/state"))) == ["start timeout", "connect 2"], "the next request opens a new one")
        #expect(Self.lines(machine.upstreamRead(.end(nil), attempt: 1)) == [], "the old connection's parts are not the new one's")
    }

    @Test func aStreamsHeadWaitsForItsStartRecordAndItsEventsAreRecordedOneByOne() {
        var machine = Self.machine()
        _ = machine.requestHead(Self.request(.GET, "/api/updates"))
        _ = machine.requestEnd()
        _ = machine.upstreamConnected(attempt: 1, failure: nil)
        #expect(Self.lines(machine.upstreamRead(Self.response(.ok, [("Content-Type", "text/event-stream")]), attempt: 1)) == ["cancel timeout", "start stream"])
        #expect(Self.lines(machine.upstreamRead(.body(ByteBuffer(string: "data: a\n\ndata: b\n\n")), attempt: 1)) == ["record event", "record event"])
        #expect(Self.lines(machine.streamStartArchived(failure: nil)) == ["write head 200", "write body 18", "flush"])
        #expect(Self.lines(machine.upstreamRead(.body(ByteBuffer(string: "data: c\n\n")), attempt: 1)) == ["record event", "write body 9"])
        #expect(Self.lines(machine.upstreamRead(.end(nil), attempt: 1)) == ["end stream upstream-closed", "end"])
    }

    @Test func aClientGoneMidStreamEndsItsRecordingAndTheUpstreamLinkAndIsWrittenNothing() {
        var machine = Self.machine()
        _ = machine.requestHead(Self.request(.GET, "/api/updates"))
        _ = machine.requestEnd()
        _ = machine.upstreamConnected(attempt: 1, failure: nil)
        _ = machine.upstreamRead(Self.response(.ok, [("Content-Type", "text/event-stream")]), attempt: 1)
        #expect(Self.lines(machine.clientClosed()) == ["cancel timeout", "end stream client-closed", "close upstream"])
        #expect(Self.lines(machine.streamStartArchived(failure: nil)) == [])
        #expect(Self.lines(machine.upstreamRead(.body(ByteBuffer(string: "data: x\n\n")), attempt: 1)) == [])
    }

    @Test func aStopWaitsForTheExchangeBeingArchivedThenCloses() {
        var machine = Self.machine()
        _ = Self.answered(&machine)
        #expect(Self.lines(machine.stop()) == [], "the answer is still to come")
        #expect(Self.lines(machine.exchangeArchived(failure: nil)) == ["write head 200", "write body 2", "end, close"])
        var idle = Self.machine()
        #expect(Self.lines(idle.stop()) == ["close client"])
    }

    @Test func theHealthRouteIsAnsweredHereAndIsReadOnly() {
        var machine = Self.machine()
        #expect(Self.lines(machine.requestHead(Self.request(.GET, "/_recorder/health"))) == ["read health true"])
        #expect(Self.lines(machine.requestEnd()) == [])
        var posted = Self.machine()
        let refused = posted.requestHead(Self.request(.POST, "/_recorder/health"))
        #expect(Self.lines(refused).first == "write head 405")
        #expect(Self.heads(refused).first?.headers["Allow"] == ["GET, HEAD"])
    }

    @Test func limitsAreAnsweredWithoutOpeningTheUpstream() {
        var machine = Self.machine()
        let tooLong = machine.requestHead(Self.request(.POST, "/api/chat", [("Content-Length", "5000")]))
        #expect(Self.lines(tooLong).prefix(2) == ["log", "write head 413"])
        #expect(Self.lines(tooLong).last == "end, close")
        var exhausted = Self.machine(descriptorsExhausted: true)
        #expect(Self.lines(exhausted.requestHead(Self.request(.GET, "/api/state"))).prefix(2) == ["log", "write head 503"])
        var connect = Self.machine()
        #expect(Self.lines(connect.requestHead(Self.request(.CONNECT, "example.com:443"))).prefix(2) == ["log", "write head 405"])
    }

    @Test func aBodyOverTheLimitMidRequestDropsTheUpstreamAnd413s() {
        var machine = Self.machine()
        _ = machine.requestHead(Self.request(.POST, "/api/chat"))
        _ = machine.upstreamConnected(attempt: 1, failure: nil)
        #expect(Self.lines(machine.requestBody(ByteBuffer(repeating: 0x61, count: 600))) == ["send body"])
        let over = machine.requestBody(ByteBuffer(repeating: 0x61, count: 600))
        #expect(Self.lines(over).prefix(4) == ["cancel timeout", "close upstream", "log", "write head 413"])
        #expect(Self.lines(machine.requestEnd()) == [], "the rest of the refused request is dropped")
    }
}
