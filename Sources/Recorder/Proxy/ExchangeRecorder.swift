import AomiAPI
import HTTPTypes
import Logging
import Synchronization
import WARC

/// Turns what the proxy saw into archive records: redacts, writes, counts and logs. Shared by
/// every connection; its methods run on the connections' recording lanes.
struct ExchangeRecorder: Sendable {
    let archive: WalletArchive
    let redactor: Redactor
    let statistics: RecorderStatistics
    let logger: Logger

    func record(_ exchange: HTTPExchange, context: ExchangeContext, started: ContinuousClock.Instant) async {
        let redacted = redactor.redact(exchange)
        do {
            try await archive.record(redacted, context: context)
        } catch {
            logger.error("could not record \(exchange.request.method) \(QueryString.path(of: exchange.request.target)): \(error)")
        }
        await statistics.exchange(requestBytes: exchange.request.body.count, responseBytes: exchange.response.body.count, failed: exchange.upstreamError != nil)
        logger.info("\(exchange.request.method) \(redacted.request.target) \(exchange.response.status) \(exchange.response.body.count)B \(ContinuousClock.now - started)",
                    metadata: Self.metadata(context))
    }

    func startStream(_ request: RecordedRequest, status: Int, reason: String, headers: HTTPFields, headDate: WARCDate, context: ExchangeContext, into log: StreamLog) async {
        let redacted = redactor.redact(HTTPExchange(request: request, response: RecordedResponse(status: status, reason: reason, headers: headers, body: [])))
        do {
            let stream = try await archive.startStream(request: redacted.request, status: status, reason: reason, headers: redacted.response.headers,
                                                       headDate: headDate, context: context)
            log.state.withLock { $0 = stream }
        } catch {
            logger.error("could not record the start of \(redacted.request.target): \(error)")
        }
    }

    func recordEvent(_ raw: [UInt8], arrived: WARCDate, in log: StreamLog) async {
        guard var stream = log.state.withLock({ $0 }) else { return }
        do {
            try await archive.recordEvent(raw, arrived: arrived, in: &stream)
            log.state.withLock { $0 = stream }
        } catch {
            logger.error("could not record an event of \(stream.targetURI): \(error)")
        }
    }

    func endStream(_ log: StreamLog, end: StreamEnd, leftover: [UInt8], relayed: Int, request: RecordedRequest, status: Int, context: ExchangeContext) async {
        if let stream = log.state.withLock({ $0 }) {
            do {
                try await archive.endStream(stream, end: end, leftover: leftover)
            } catch {
                logger.error("could not record the end of \(stream.targetURI): \(error)")
            }
        }
        await statistics.stream(bytes: relayed)
        logger.info("\(request.method) \(redactor.redact(target: request.target)) \(status) stream \(relayed)B \(end.rawValue)", metadata: Self.metadata(context))
    }

    private static func metadata(_ context: ExchangeContext) -> Logger.Metadata {
        ["session": .string(context.sessionID ?? "-"), "wallet": .string(context.wallet?.value ?? "-")]
    }
}

/// The stream a connection is recording, as its lane's jobs pass it from one to the next.
final class StreamLog: Sendable {
    let state = Mutex<RecordedStream?>(nil)
}
