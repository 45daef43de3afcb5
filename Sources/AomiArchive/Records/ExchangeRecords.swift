import HTTPTypes
import WARC

/// The WARC records an exchange is written as: the one place that knows their fields, read
/// back by `FolderReader`, `WholeStream` and the index. An ordinary exchange is a `request`
/// and a `response` (or a `revisit` of an identical earlier payload); an SSE response is a
/// segmented `response` (segment 1, its head) and a `continuation` per event, the last
/// carrying `WARC-Segment-Total-Length` and `Aomi-Stream-End`.
public enum ExchangeRecords {
    /// An earlier full response whose payload a `revisit` refers to.
    public struct Original: Sendable, Equatable {
        public var recordID: String
        public var date: String
        public var uri: String

        public init(recordID: String, date: String, uri: String) {
            self.recordID = recordID
            self.date = date
            self.uri = uri
        }
    }

    /// The `request` record of an exchange, completed so that its id can be referred to.
    public static func request(_ request: CapturedRequest, uri: String, context: ExchangeContext) -> WARCRecord {
        WARCRecord(
            type: .request,
            headers: [
                (WARCField.targetURI, uri),
                (WARCField.date, request.date.description),
                (WARCField.contentType, WARCValue.httpRequestContentType),
            ] + context.fields, block: HTTPBlock.request(request)
        ).completed()
    }

    /// The `response` record answering `requestID`, or, given the `original` holding the same
    /// payload, a `revisit` of it (head only). `digest` is the payload's `sha1:` digest.
    public static func response(
        _ exchange: HTTPExchange, uri: String, requestID: String, context: ExchangeContext, digest: String, original: Original? = nil
    ) -> WARCRecord {
        var fields =
            [
                (WARCField.targetURI, uri),
                (WARCField.date, exchange.response.date.description),
                (WARCField.contentType, WARCValue.httpResponseContentType),
                (WARCField.concurrentTo, requestID),
            ] + context.fields
        if let error = exchange.upstreamError { fields.append((AomiField.upstreamError, error)) }
        guard let original else {
            return WARCRecord(type: .response, headers: fields + [(WARCField.payloadDigest, digest)], block: HTTPBlock.response(exchange.response))
        }
        return WARCRecord(
            type: .revisit,
            headers: fields + [
                (WARCField.profile, WARCValue.identicalPayloadDigestProfile),
                (WARCField.refersTo, original.recordID),
                (WARCField.refersToTargetURI, original.uri),
                (WARCField.refersToDate, original.date),
                (WARCField.payloadDigest, digest),
            ], block: HTTPBlock.response(exchange.response, withBody: false))
    }

    /// Segment 1 of a stream: its response head, answering `requestID`, completed so that its
    /// continuations can name it.
    public static func streamHead(
        status: Int, reason: String, headers: HTTPFields, date: WARCDate, uri: String, requestID: String, context: ExchangeContext
    ) -> WARCRecord {
        WARCRecord(
            type: .response,
            headers: [
                (WARCField.targetURI, uri),
                (WARCField.date, date.description),
                (WARCField.contentType, WARCValue.httpResponseContentType),
                (WARCField.concurrentTo, requestID),
                (WARCField.segmentNumber, "1"),
            ] + context.fields, block: HTTPBlock.streamHead(status: status, reason: reason, headers: headers)
        ).completed()
    }

    /// Segment `number` of the stream whose head is `originID`: one event's bytes, stamped
    /// with their arrival.
    public static func streamEvent(originID: String, uri: String, fields: [(String, String)], number: Int, date: WARCDate, block: [UInt8]) -> WARCRecord {
        WARCRecord(
            type: .continuation,
            headers: [
                (WARCField.targetURI, uri),
                (WARCField.date, date.description),
                (WARCField.segmentOriginID, originID),
                (WARCField.segmentNumber, String(number)),
            ] + fields, block: block)
    }

    /// The last segment of a stream: bytes of an unfinished event (if any), the length of all
    /// segments together, and how it ended.
    public static func streamEnd(
        originID: String, uri: String, fields: [(String, String)], number: Int, totalLength: Int, end: StreamEnd, leftover: [UInt8], date: WARCDate = .now()
    ) -> WARCRecord {
        var record = streamEvent(originID: originID, uri: uri, fields: fields, number: number, date: date, block: leftover)
        record.headers.append(WARCField.segmentTotalLength, String(totalLength))
        record.headers.append(AomiField.streamEnd, end.rawValue)
        return record
    }
}
