import AomiAPI
import AsyncHTTPClient
import HTTPServing
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import WARC

/// The recording reverse proxy: passes every request through to the upstream unchanged,
/// streams the response back (SSE event by event), and records the exchange, redacted,
/// into the wallet's archive.
public struct RecordingProxy: HTTPResponder {
    public typealias Context = BasicRequestContext

    let configuration: RecorderConfiguration
    let archive: WalletArchive
    let redactor: Redactor
    let client: HTTPClient
    let sessions = SessionDirectory()
    public let statistics = RecorderStatistics()
    let logger: Logger

    public init(configuration: RecorderConfiguration, archive: WalletArchive, redactor: Redactor, client: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.archive = archive
        self.redactor = redactor
        self.client = client
        self.logger = logger
    }

    /// An HTTP client fit for talking to the upstream: bodies passed as they are (no
    /// decompression), many connections, and a refused connection failed at once (502)
    /// instead of retried until the connect timeout.
    public static func makeUpstreamClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1024)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let arrival = WARCDate.now()
        let started = ContinuousClock.now
        if let refusal = refusal(of: request) { return refusal }
        let sessionID = request.headers[HTTPField.Name(AomiHeader.sessionID)!].flatMap { $0.isEmpty ? nil : $0 }
        let sequence = await sessions.nextSequence(of: sessionID)
        let capture = RequestBodyCapture(limit: configuration.maxRequestBodyBytes)
        let upstreamResponse: HTTPClientResponse
        do {
            upstreamResponse = try await executeUpstream(request, capture: capture)
        } catch {
            if capture.exceededLimit { return refuseOversizedBody(request) }
            let recorded = recordedRequest(request, body: capture.received, date: arrival)
            return await answerUpstreamFailure(error, request: recorded, context: await exchangeContext(recorded, sessionID: sessionID, sequence: sequence), started: started)
        }
        let headDate = WARCDate.now()
        let status = Int(upstreamResponse.status.code)
        let reason = upstreamResponse.status.reasonPhrase
        let headers = Self.fields(upstreamResponse.headers)
        let clientHeaders = Self.withoutHopByHop(headers, keepLength: true)
        let isStream = headers[.contentType]?.lowercased().hasPrefix("text/event-stream") == true
        let responseStatus = HTTPResponse.Status(code: status, reasonPhrase: reason)
        if isStream {
            let recorded = recordedRequest(request, body: capture.received, date: arrival)
            let exchangeContext = await exchangeContext(recorded, sessionID: sessionID, sequence: sequence)
            return Response(status: responseStatus, headers: clientHeaders, body: ResponseBody { writer in
                await relayStream(upstreamResponse, to: &writer, request: recorded, status: status, reason: reason,
                                  headers: headers, headDate: headDate, context: exchangeContext)
            })
        }
        return Response(status: responseStatus, headers: clientHeaders, body: ResponseBody { writer in
            await relayBody(upstreamResponse, to: &writer) { copy in
                let recorded = recordedRequest(request, body: capture.received, date: arrival)
                let response = RecordedResponse(status: status, reason: reason, headers: headers, body: copy, date: headDate)
                await record(HTTPExchange(request: recorded, response: response),
                             context: await exchangeContext(recorded, sessionID: sessionID, sequence: sequence), started: started)
            }
        })
    }

    /// Relays a response body chunk by chunk, holding the last chunk back until `record` has
    /// written the exchange: a client that has the whole response knows it is in the archive,
    /// even if the recorder is killed right after.
    private func relayBody(_ upstream: HTTPClientResponse, to writer: inout any ResponseBodyWriter,
                           record: ([UInt8]) async -> Void) async {
        var copy: [UInt8] = []
        var held: ByteBuffer?
        var clientGone = false
        do {
            for try await chunk in upstream.body {
                if copy.count < configuration.maxRecordedBodyBytes { copy.append(contentsOf: chunk.readableBytesView) }
                if let previous = held, !clientGone {
                    do { try await writer.write(previous) } catch { clientGone = true }
                }
                held = chunk
            }
        } catch {
            logger.warning("response from the upstream cut: \(error)")
        }
        await record(copy)
        guard !clientGone else { return }
        if let held { try? await writer.write(held) }
        try? await writer.finish(nil)
    }

    // MARK: Limits

    /// 431 for a head over the header limit, 413 for a declared body over the body limit.
    private func refusal(of request: Request) -> Response? {
        let headBytes = request.uri.string.utf8.count + request.headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
        if headBytes > configuration.maxHeaderBytes {
            logger.warning("\(request.method) \(QueryString.path(of: request.uri.string)) refused: head of \(headBytes) bytes over \(configuration.maxHeaderBytes)")
            return Self.errorResponse(APIError(status: 431, "request head of \(headBytes) bytes is over the limit of \(configuration.maxHeaderBytes) bytes"))
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maxRequestBodyBytes {
            return refuseOversizedBody(request)
        }
        return nil
    }

    private func refuseOversizedBody(_ request: Request) -> Response {
        logger.warning("\(request.method) \(QueryString.path(of: request.uri.string)) refused: body over \(configuration.maxRequestBodyBytes) bytes")
        return Self.errorResponse(APIError(status: 413, "request body over \(configuration.maxRequestBodyBytes) bytes"))
    }

    // MARK: Identity

    private func recordedRequest(_ request: Request, body: [UInt8], date: WARCDate) -> RecordedRequest {
        RecordedRequest(method: request.method.rawValue, target: request.uri.string, headers: request.headers, body: body, date: date)
    }

    /// Who the exchange belongs to: its session, the wallet the session is bound to (learned
    /// from this request too), and its sequence number.
    private func exchangeContext(_ request: RecordedRequest, sessionID: String?, sequence: Int?) async -> ExchangeContext {
        let identity = RequestIdentity(sessionID: sessionID, wallet: RequestIdentity.wallet(method: request.method, target: request.target, body: request.body))
        let wallet = await sessions.wallet(for: identity)
        return ExchangeContext(sessionID: sessionID, wallet: wallet, sequence: sequence, origin: configuration.upstream)
    }

    // MARK: Upstream

    /// Sends the request on, its body streamed through `capture`; returns once the response head
    /// arrived, or throws `UpstreamTimeout` after `upstreamTimeout`.
    private func executeUpstream(_ request: Request, capture: RequestBodyCapture) async throws -> HTTPClientResponse {
        var upstream = HTTPClientRequest(url: configuration.upstream + request.uri.string)
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !HTTPMessageBlock.hopByHop.contains(field.name.canonicalName) && field.name.canonicalName != "host" {
            upstream.headers.add(name: field.name.rawName, value: field.value)
        }
        let declaredLength = request.headers[.contentLength].flatMap(Int64.init)
        let chunked = request.headers[.transferEncoding]?.lowercased().contains("chunked") == true
        if let declaredLength, declaredLength > 0 {
            upstream.body = .stream(RequestBodyTee(base: request.body, capture: capture), length: .known(declaredLength))
        } else if chunked {
            upstream.body = .stream(RequestBodyTee(base: request.body, capture: capture), length: .unknown)
        }
        let client = self.client
        let prepared = upstream
        let timeout = configuration.upstreamTimeout
        return try await withThrowingTaskGroup(of: HTTPClientResponse?.self) { group in
            group.addTask { try await client.execute(prepared, deadline: .distantFuture) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else { throw UpstreamTimeout() }
            return response
        }
    }

    private struct UpstreamTimeout: Error {}

    private func answerUpstreamFailure(_ error: any Error, request: RecordedRequest, context: ExchangeContext, started: ContinuousClock.Instant) async -> Response {
        let timedOut = error is UpstreamTimeout
        let message = timedOut
            ? "upstream \(configuration.upstream) did not answer within \(configuration.upstreamTimeout)"
            : "upstream \(configuration.upstream) failed: \(error)"
        let apiError = APIError(status: timedOut ? 504 : 502, message)
        let bytes = JSONCoding.encode(apiError)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let response = RecordedResponse(status: apiError.status, reason: timedOut ? "Gateway Timeout" : "Bad Gateway", headers: headers, body: bytes)
        await record(HTTPExchange(request: request, response: response, upstreamError: timedOut ? "timeout" : "\(error)"), context: context, started: started)
        return Self.errorResponse(apiError)
    }

    // MARK: Recording

    private func record(_ exchange: HTTPExchange, context: ExchangeContext, started: ContinuousClock.Instant) async {
        let redacted = redactor.redact(exchange)
        do {
            try await archive.record(redacted, context: context)
        } catch {
            logger.error("could not record \(exchange.request.method) \(QueryString.path(of: exchange.request.target)): \(error)")
        }
        await statistics.exchange(requestBytes: exchange.request.body.count, responseBytes: exchange.response.body.count, failed: exchange.upstreamError != nil)
        logger.info("\(exchange.request.method) \(redacted.request.target) \(exchange.response.status) \(exchange.response.body.count)B \(ContinuousClock.now - started)",
                    metadata: ["session": .string(context.sessionID ?? "-"), "wallet": .string(context.wallet?.value ?? "-")])
    }

    private func relayStream(_ upstream: HTTPClientResponse, to writer: inout any ResponseBodyWriter, request: RecordedRequest, status: Int, reason: String,
                             headers: HTTPFields, headDate: WARCDate, context: ExchangeContext) async {
        let redacted = redactor.redact(HTTPExchange(request: request, response: RecordedResponse(status: status, reason: reason, headers: headers, body: [])))
        var stream: RecordedStream?
        do {
            stream = try await archive.startStream(request: redacted.request, status: status, reason: reason, headers: redacted.response.headers, headDate: headDate, context: context)
        } catch {
            logger.error("could not record the start of \(request.target): \(error)")
        }
        var parser = ServerSentEventParser()
        var end = StreamEnd.upstreamClosed
        var relayed = 0
        do {
            for try await chunk in upstream.body.cancelOnGracefulShutdown() {
                for event in parser.feed(chunk.readableBytesView) where stream != nil {
                    try? await archive.recordEvent(event.raw, arrived: .now(), in: &stream!)
                }
                do {
                    try await writer.write(chunk)
                } catch {
                    end = .clientClosed
                    break
                }
                relayed += chunk.readableBytes
            }
        } catch {
            end = .error
        }
        if end == .upstreamClosed, Task.isShuttingDownGracefully { end = .recorderStopped }
        if end != .clientClosed { try? await writer.finish(nil) }
        if let stream { try? await archive.endStream(stream, end: end, leftover: parser.remainder) }
        await statistics.stream(bytes: relayed)
        logger.info("\(request.method) \(redacted.request.target) \(status) stream \(relayed)B \(end.rawValue)",
                    metadata: ["session": .string(context.sessionID ?? "-"), "wallet": .string(context.wallet?.value ?? "-")])
    }

    // MARK: Helpers

    static func fields(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return fields
    }

    static func withoutHopByHop(_ fields: HTTPFields, keepLength: Bool) -> HTTPFields {
        var kept = HTTPFields()
        for field in fields where !HTTPMessageBlock.hopByHop.contains(field.name.canonicalName) || (keepLength && field.name == .contentLength) {
            kept.append(field)
        }
        return kept
    }

    static func errorResponse(_ error: APIError) -> Response {
        .json(JSONCoding.encode(error), status: HTTPResponse.Status(code: error.status))
    }
}

extension RecordingProxy: HTTPResponderBuilder {
    public func buildResponder() -> RecordingProxy { self }
}
