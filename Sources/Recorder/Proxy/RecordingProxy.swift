import AomiAPI
import AsyncHTTPClient
import HTTPServing
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
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

    public func respond(to request: Request, context: Context) async throws -> Response {
        let arrival = WARCDate.now()
        let started = ContinuousClock.now
        var incoming = request
        let body: ByteBuffer
        do {
            body = try await incoming.collectBody(upTo: configuration.maxRequestBodyBytes)
        } catch {
            logger.warning("\(request.method) \(QueryString.path(of: request.uri.string)) refused: body over \(configuration.maxRequestBodyBytes) bytes")
            return Self.errorResponse(APIError(status: 413, "request body over \(configuration.maxRequestBodyBytes) bytes"))
        }
        let recorded = RecordedRequest(method: request.method.rawValue, target: request.uri.string, headers: request.headers,
                                       body: Array(body.readableBytesView), date: arrival)
        let identity = RequestIdentity(method: recorded.method, target: recorded.target,
                                       header: { HTTPField.Name($0).flatMap { request.headers[$0] } }, body: recorded.body)
        let (wallet, sequence) = await sessions.admit(identity)
        let exchangeContext = ExchangeContext(sessionID: identity.sessionID, wallet: wallet, sequence: sequence, origin: configuration.upstream)
        let upstreamResponse: HTTPClientResponse
        do {
            upstreamResponse = try await executeUpstream(recorded, body: body)
        } catch {
            return await answerUpstreamFailure(error, request: recorded, context: exchangeContext, started: started)
        }
        let headDate = WARCDate.now()
        let status = Int(upstreamResponse.status.code)
        let reason = upstreamResponse.status.reasonPhrase
        let headers = Self.fields(upstreamResponse.headers)
        let clientHeaders = Self.withoutHopByHop(headers, keepLength: true)
        let isStream = headers[.contentType]?.lowercased().hasPrefix("text/event-stream") == true
        let responseStatus = HTTPResponse.Status(code: status, reasonPhrase: reason)
        if isStream {
            return Response(status: responseStatus, headers: clientHeaders, body: ResponseBody { writer in
                await relayStream(upstreamResponse, to: &writer, request: recorded, status: status, reason: reason,
                                  headers: headers, headDate: headDate, context: exchangeContext)
            })
        }
        return Response(status: responseStatus, headers: clientHeaders, body: ResponseBody { writer in
            var copy: [UInt8] = []
            do {
                for try await chunk in upstreamResponse.body {
                    if copy.count < configuration.maxRecordedBodyBytes { copy.append(contentsOf: chunk.readableBytesView) }
                    try await writer.write(chunk)
                }
                try await writer.finish(nil)
            } catch {
                logger.warning("\(recorded.method) \(QueryString.path(of: recorded.target)): response cut: \(error)")
            }
            let response = RecordedResponse(status: status, reason: reason, headers: headers, body: copy, date: headDate)
            await record(HTTPExchange(request: recorded, response: response), context: exchangeContext, started: started)
        })
    }

    // MARK: Upstream

    private func executeUpstream(_ request: RecordedRequest, body: ByteBuffer) async throws -> HTTPClientResponse {
        var upstream = HTTPClientRequest(url: configuration.upstream + request.target)
        upstream.method = HTTPMethod(rawValue: request.method)
        for field in request.headers where !HTTPMessageBlock.hopByHop.contains(field.name.canonicalName) && field.name.canonicalName != "host" {
            upstream.headers.add(name: field.name.rawName, value: field.value)
        }
        if body.readableBytes > 0 { upstream.body = .bytes(body) }
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
            for try await chunk in upstream.body {
                do {
                    try await writer.write(chunk)
                } catch {
                    end = .clientClosed
                    break
                }
                relayed += chunk.readableBytes
                for event in parser.feed(chunk.readableBytesView) where stream != nil {
                    try? await archive.recordEvent(event.raw, arrived: .now(), in: &stream!)
                }
            }
        } catch {
            end = .error
        }
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
