import AomiAPI
import AomiArchive
import HTTPTypes
import WARC

/// An SSE response being recorded: the origin record's id, its folder and what was written so far.
public struct StreamRecording: Sendable {
    public let originID: String
    let folder: String
    let targetURI: String
    let fields: [(String, String)]
    var segments = 1
    var totalLength: Int
}

extension WalletArchive {
    /// Writes the request and the response head of a stream as segment 1 of a segmented response.
    public func startStream(
        request: CapturedRequest, status: Int, reason: String, headers: HTTPFields, headDate: WARCDate, context: ExchangeContext
    ) async throws -> StreamRecording {
        let uri = context.origin + request.target
        let requestRecord = ExchangeRecords.request(request, uri: uri, context: context)
        let origin = ExchangeRecords.streamHead(
            status: status, reason: reason, headers: headers, date: headDate, uri: uri, requestID: requestRecord.recordID!, context: context)
        try await write([requestRecord, origin], folder: context.folder)
        return StreamRecording(originID: origin.recordID!, folder: context.folder, targetURI: uri, fields: context.fields, totalLength: origin.block.count)
    }

    /// Writes one event of a stream as a continuation record stamped with its arrival. The
    /// stream counts the event only once it is written, so a failed write leaves no gap in the
    /// segment numbers.
    public func recordEvent(_ raw: [UInt8], arrived: WARCDate, in stream: inout StreamRecording) async throws {
        var next = stream
        next.segments += 1
        next.totalLength += raw.count
        let record = ExchangeRecords.streamEvent(
            originID: next.originID, uri: next.targetURI, fields: next.fields, number: next.segments, date: arrived, block: raw)
        try await write([record], folder: stream.folder)
        stream = next
    }

    /// Ends a stream: a last continuation (holding bytes of an unfinished event, if any) with
    /// `WARC-Segment-Total-Length` and `Aomi-Stream-End`, stamped `date`.
    public func endStream(_ stream: StreamRecording, end: StreamEnd, leftover: [UInt8] = [], date: WARCDate = .now()) async throws {
        var stream = stream
        stream.segments += 1
        stream.totalLength += leftover.count
        let record = ExchangeRecords.streamEnd(
            originID: stream.originID, uri: stream.targetURI, fields: stream.fields, number: stream.segments, totalLength: stream.totalLength, end: end,
            leftover: leftover, date: date)
        do {
            try await write([record], folder: stream.folder)
        } catch {
            keepUnwrittenStreamEnd(record, folder: stream.folder)
            throw error
        }
    }
}
