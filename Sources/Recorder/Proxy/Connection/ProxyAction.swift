import AomiArchive
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import WARC

/// What `ProxyConnectionStateMachine` asks its channel handler to do. Writes to the client,
/// the upstream and the archive, timers, and questions whose answers come back as events.
enum ProxyAction {
    // MARK: To the client

    /// Writes a response part to the client, flushing when asked.
    case write(HTTPServerResponsePart, flush: Bool)
    case flush
    /// Writes the end of the response and flushes; closes the connection once it is written, if asked.
    case endResponse(close: Bool)
    /// Closes the client connection now.
    case closeClient

    // MARK: To the upstream

    /// Opens upstream connection number `attempt`; `ProxyConnectionStateMachine.upstreamConnected` follows.
    case connectUpstream(attempt: Int)
    /// The connection just opened becomes the upstream link.
    case adoptUpstream
    /// The connection just opened is not needed any more: close it unused.
    case closeNewUpstream
    /// Writes a request part upstream, flushing when asked.
    case sendUpstream(HTTPClientRequestPart, flush: Bool)
    case flushUpstream
    /// Closes the upstream link (already forgotten, so its end is not taken for the upstream's).
    case closeUpstream

    // MARK: Timing

    /// Starts the wait for the upstream's response head; `upstreamTimedOut` follows when it runs out.
    case startTimeout
    case cancelTimeout

    // MARK: To the archive (in order, on the connection's recording lane)

    /// Archives an exchange (with how long the upstream took, when it answered); `exchangeArchived` follows.
    case archive(HTTPExchange, ExchangeContext, started: ContinuousClock.Instant, timing: ExchangeTiming?)
    /// Archives a stream's request and head; `streamStartArchived` follows.
    case startStreamRecording(StreamStart)
    /// Archives one event; `streamEventNotArchived` follows only when that fails.
    case recordStreamEvent([UInt8], arrived: WARCDate, log: StreamLog)
    /// Archives the end of a stream.
    case endStreamRecording(StreamFinish)
    /// Counts a failure that kept an exchange from being forwarded or recorded.
    case noteFailure(String)

    // MARK: Questions

    /// Reads the recorder's health; `healthRead` follows.
    case readHealth(withBody: Bool)
    /// Takes a second look at a certificate TLS refused; `tlsFailureExplained` follows.
    case explainTLSFailure(any Error)
    case log(Logger.Level, String)
}

/// What archiving a stream's start needs.
struct StreamStart {
    var request: CapturedRequest
    var status: Int
    var reason: String
    var headers: HTTPFields
    var date: WARCDate
    var context: ExchangeContext
    var log: StreamLog
}

/// What archiving a stream's end needs.
struct StreamFinish {
    var log: StreamLog
    var end: StreamEnd
    var leftover: [UInt8]
    var relayed: Int
    var request: CapturedRequest
    var status: Int
    var context: ExchangeContext
}
