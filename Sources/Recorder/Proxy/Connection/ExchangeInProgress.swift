import AomiAPI
import AomiArchive
import HTTPTypes
import NIOCore
import NIOHTTP1
import WARC

/// One request on a client connection, from its head to the end of its response.
struct ExchangeInProgress {
    let head: HTTPRequestHead
    let arrival: WARCDate
    let started: ContinuousClock.Instant
    let sessionID: String?
    let sequence: Int?
    var body: [UInt8] = []
    var requestEnded = false

    var responseHead: HTTPResponseHead?
    /// When the response head came from the upstream (its time to first byte).
    var responseHeadReceived: ContinuousClock.Instant?
    var responseDate: WARCDate?
    var responseBody: [UInt8] = []
    /// Whether the response head went to the client. An ordinary response is held whole until
    /// it is archived (so the head can say whether it was); only one larger than the recorded
    /// body limit goes out early, with its last part held.
    var clientHeadSent = false
    /// The last body part received once the head went out, passed on only when the next comes
    /// or the exchange is archived.
    var held: ByteBuffer?
    var stream: StreamInProgress?
    /// The proxy answered itself (502, 504): what the upstream still sends is dropped.
    var answered = false
    /// Scheme and authority an absolute-form target named, recorded in place of the upstream's.
    var recordedOrigin: String?

    var keepAlive: Bool { head.isKeepAlive }

    /// How long the upstream has taken, now that its response has ended.
    var upstreamTiming: ExchangeTiming {
        ExchangeTiming(firstByte: responseHeadReceived.map { $0 - started }, total: .now - started)
    }

    /// The request as the upstream received it: the client's fields, with the `Host` that was
    /// sent upstream (`api.aomi.dev`, not the recorder's own address).
    func recordedRequest(upstreamHost: String) -> CapturedRequest {
        var fields = ProxyHeaders.fields(head.headers)
        fields[HTTPField.Name("Host")!] = upstreamHost
        return CapturedRequest(method: head.method.rawValue, target: head.uri, headers: fields, body: body, date: arrival)
    }
}

/// An SSE response being relayed and recorded event by event.
struct StreamInProgress {
    let log = StreamLog()
    let context: ExchangeContext
    let request: CapturedRequest
    var parser = ServerSentEventParser()
    var relayed = 0
}

/// What the client of a stream gets once the stream's start is archived: the head waits for
/// it, and the body parts and the end that come meanwhile wait with it.
struct PendingStreamOutput {
    var head: HTTPResponseHead
    var parts: [ByteBuffer] = []
    /// Set when the stream ended before the head went out: end the response (keeping the
    /// connection or not), or close the connection.
    var end: StreamOutputEnd?
}

enum StreamOutputEnd {
    case response(keepAlive: Bool)
    case close
}

/// What the client gets once an exchange is archived: the upstream's response (or, when it
/// went out early, its held last part and end), or the proxy's own answer.
enum ReplyAfterArchive {
    case upstream(UpstreamReply)
    case own(APIError, requestKeepAlive: Bool)
}

/// The upstream's response to an exchange being archived, as far as the client has not had it.
struct UpstreamReply {
    var head: HTTPResponseHead
    var requestVersion: HTTPVersion
    var body: [UInt8]
    var held: ByteBuffer?
    var clientHeadSent: Bool
    var keepAlive: Bool
}
