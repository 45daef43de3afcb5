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
        let requestRecord = Self.requestRecord(request, uri: uri, context: context)
        let head = HTTPBlock.streamHead(status: status, reason: reason, headers: headers)
        let origin = WARCRecord(
            type: .response,
            headers: [
                (WARCField.targetURI, uri),
                (WARCField.date, headDate.description),
                (WARCField.contentType, WARCValue.httpResponseContentType),
                (WARCField.concurrentTo, requestRecord.recordID!),
                (WARCField.segmentNumber, "1"),
            ] + context.fields, block: head
        ).completed()
        try await write([requestRecord, origin], folder: context.folder)
        return StreamRecording(originID: origin.recordID!, folder: context.folder, targetURI: uri, fields: context.fields, totalLength: head.count)
    }

    /// Writes one event of a stream as a continuation record stamped with its arrival. The
    /// stream counts the event only once it is written, so a failed write leaves no gap in the
    /// segment numbers.
    public func recordEvent(_ raw: [UInt8], arrived: WARCDate, in stream: inout StreamRecording) async throws {
        var next = stream
        next.segments += 1
        next.totalLength += raw.count
        try await write([continuation(next, date: arrived, block: raw)], folder: stream.folder)
        stream = next
    }

    /// Ends a stream: a last continuation (holding bytes of an unfinished event, if any) with
    /// `WARC-Segment-Total-Length` and `Aomi-Stream-End`.
    public func endStream(_ stream: StreamRecording, end: StreamEnd, leftover: [UInt8] = []) async throws {
        var stream = stream
        stream.segments += 1
        stream.totalLength += leftover.count
        var record = continuation(stream, date: .now(), block: leftover)
        record.headers.append(WARCField.segmentTotalLength, String(stream.totalLength))
        record.headers.append(AomiField.streamEnd, end.rawValue)
        do {
            try await write([record], folder: stream.folder)
        } catch {
            keepUnwrittenStreamEnd(record, folder: stream.folder)
            throw error
        }
    }

    private func continuation(_ stream: StreamRecording, date: WARCDate, block: [UInt8]) -> WARCRecord {
        WARCRecord(
            type: .continuation,
            headers: [
                (WARCField.targetURI, stream.targetURI),
                (WARCField.date, date.description),
                (WARCField.segmentOriginID, stream.originID),
                (WARCField.segmentNumber, String(stream.segments)),
            ] + stream.fields, block: block)
    }
}
