import AomiAPI
import AomiArchive
import HTTPTypes
import Logging
import Synchronization
import WARC

/// Turns what the proxy saw into archive records: redacts, writes, counts and logs. Shared by
/// every connection; its methods run on the connections' recording lanes. Each method that
/// writes returns nil when the records are written, or the cause of the failure (no paths),
/// which is counted and logged once per cause.
struct ExchangeRecorder: Sendable {
    let archive: WalletArchive
    let redactor: Redactor
    let statistics: RecorderStatistics
    let logger: Logger

    func record(_ exchange: HTTPExchange, context: ExchangeContext, started: ContinuousClock.Instant, timing: ExchangeTiming? = nil) async -> String? {
        let redacted = redactor.redact(exchange)
        let failure = await attempt("\(exchange.request.method) \(QueryString.path(of: redacted.request.target))") {
            try await archive.record(redacted, context: context)
        }
        statistics.exchange(requestBytes: exchange.request.body.count, responseBytes: exchange.response.body.count, failed: exchange.upstreamError != nil)
        RecorderMetrics.exchange(method: exchange.request.method, target: exchange.request.target, status: exchange.response.status, timing: timing)
        logger.info(
            "\(exchange.request.method) \(redacted.request.target) \(exchange.response.status) \(exchange.response.body.count)B \(Self.milliseconds(since: started))\(failure == nil ? "" : " NOT RECORDED")",
            metadata: Self.metadata(context))
        return failure
    }

    func startStream(
        _ request: CapturedRequest, status: Int, reason: String, headers: HTTPFields, headDate: WARCDate, context: ExchangeContext, into log: StreamLog
    ) async -> String? {
        let redacted = redactor.redact(HTTPExchange(request: request, response: CapturedResponse(status: status, reason: reason, headers: headers, body: [])))
        RecorderMetrics.openStreams.increment()
        return await attempt("the start of \(QueryString.path(of: redacted.request.target))") {
            let stream = try await archive.startStream(
                request: redacted.request, status: status, reason: reason, headers: redacted.response.headers,
                headDate: headDate, context: context)
            log.state.withLock { $0 = stream }
        }
    }

    /// Records one event; nil also when the stream's start was not recorded (that failure was
    /// counted then).
    func recordEvent(_ raw: [UInt8], arrived: WARCDate, in log: StreamLog) async -> String? {
        RecorderMetrics.events.increment()
        guard var stream = log.state.withLock({ $0 }) else { return nil }
        return await attempt("an event of \(stream.targetURI)") {
            try await archive.recordEvent(raw, arrived: arrived, in: &stream)
            log.state.withLock { $0 = stream }
        }
    }

    func endStream(_ log: StreamLog, end: StreamEnd, leftover: [UInt8], relayed: Int, request: CapturedRequest, status: Int, context: ExchangeContext) async {
        if let stream = log.state.withLock({ $0 }) {
            _ = await attempt("the end of \(stream.targetURI)") {
                try await archive.endStream(stream, end: end, leftover: leftover)
            }
        }
        statistics.stream(bytes: relayed)
        RecorderMetrics.openStreams.decrement()
        RecorderMetrics.exchange(method: request.method, target: request.target, status: status, timing: nil)
        logger.info("\(request.method) \(redactor.redact(target: request.target)) \(status) stream \(relayed)B \(end.rawValue)", metadata: Self.metadata(context))
    }

    /// Counts a failure that kept something from being recorded without a write being tried
    /// (the process ran out of descriptors), as a failed write is counted and logged.
    func noteFailure(_ cause: String) async {
        if await statistics.writeFailed(cause: cause) {
            logger.error(
                "\(cause): connections are answered 503 until descriptors are free again; further failures with this cause are counted (GET /_recorder/health), not logged")
        }
    }

    /// Runs one archive write, counts its outcome and logs a failure the first time its cause
    /// is seen since the last success, and the return to writing after failures.
    private func attempt(_ what: String, _ write: () async throws -> Void) async -> String? {
        do {
            try await write()
            if statistics.mayBeFailing, let failed = await statistics.writeSucceeded() {
                logger.notice("recording again: \(failed) writes had failed before this one")
            }
            return nil
        } catch {
            let cause = (error as? WARCWriterError)?.cause ?? "\(error)"
            if await statistics.writeFailed(cause: cause) {
                logger.error("could not record \(what): \(error); further failures with this cause are counted (GET /_recorder/health), not logged, until a write succeeds")
            }
            return cause
        }
    }

    /// `1.3ms`: how long an exchange took, as every log line says durations.
    private static func milliseconds(since start: ContinuousClock.Instant) -> String {
        String(format: "%.1fms", (ContinuousClock.now - start) / .milliseconds(1))
    }

    private static func metadata(_ context: ExchangeContext) -> Logger.Metadata {
        ["session": .string(context.sessionID ?? "-"), "wallet": .string(context.wallet?.value ?? "-")]
    }
}

/// The stream a connection is recording, as its lane's jobs pass it from one to the next.
final class StreamLog: Sendable {
    let state = Mutex<StreamRecording?>(nil)
}
