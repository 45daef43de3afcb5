import Foundation
import WARC

/// An SSE stream as one complete `response` record, the form WARC players (pywb, replayweb)
/// can serve: the recorded head and every event's bytes as its body, with its payload digest,
/// followed by a `metadata` record (`WARC-Concurrent-To` the response, `application/warc-fields`)
/// that keeps what the body alone loses: each event's place in the body and arrival time, and
/// how the stream ended. Recordings write streams as segments (one record per event, as it
/// arrives); `export --playable` writes this form, and the replay reads both.
public enum WholeStream {
    /// `event: OFFSET LENGTH DATE` per event, in order; `OFFSET` counts from the body's start.
    public static let eventKey = "event"
    /// How the stream ended (`Aomi-Stream-End`), when the recording says.
    public static let endKey = "stream-end"

    /// One event: its bytes and when the recorder saw it.
    public struct Event: Sendable, Equatable {
        public var bytes: [UInt8]
        public var date: String
    }

    /// The whole-stream records of a segmented response: `origin` (segment 1, the head) and its
    /// continuations in segment order. The response keeps the origin's id, so the request's
    /// `WARC-Concurrent-To` still names it.
    public static func records(origin: WARCRecord, continuations: [WARCRecord]) -> (response: WARCRecord, metadata: WARCRecord) {
        var response = origin
        for field in [WARCField.segmentNumber, WARCField.blockDigest, WARCField.payloadDigest, WARCField.contentLength] {
            response.headers.remove(field)
        }
        var lines = ""
        var offset = 0
        var end: StreamEnd?
        for continuation in continuations {
            if !continuation.block.isEmpty {
                lines += "\(eventKey): \(offset) \(continuation.block.count) \(continuation.date ?? origin.date ?? "")\r\n"
                offset += continuation.block.count
                response.block += continuation.block
            }
            end = StreamEnd(endOf: continuation.headers) ?? end
        }
        if let end {
            lines += "\(endKey): \(end.rawValue)\r\n"
            response.headers.set(AomiField.streamEnd, end.rawValue)
        }
        response = response.completed()
        var fields: [(String, String)] = []
        if let target = origin.targetURI { fields.append((WARCField.targetURI, target)) }
        if let date = continuations.last?.date ?? origin.date { fields.append((WARCField.date, date)) }
        fields += [(WARCField.concurrentTo, response.recordID ?? ""), (WARCField.contentType, WARCValue.warcFieldsContentType)]
        for name in [AomiField.sessionID, AomiField.wallet, AomiField.exchangeSeq] {
            if let value = origin.headers[name] { fields.append((name, value)) }
        }
        return (response, WARCRecord(type: .metadata, headers: fields, block: Array(lines.utf8)).completed())
    }

    /// Whether `record` is the metadata record of a whole stream.
    public static func isEventList(_ record: WARCRecord) -> Bool {
        guard record.type == .metadata, record.headers[WARCField.concurrentTo] != nil else { return false }
        let start = String(decoding: record.block.prefix(16), as: UTF8.self)
        return start.hasPrefix(eventKey + ":") || start.hasPrefix(endKey + ":")
    }

    /// The events of a whole-stream `body` as its metadata block lists them, and how it ended.
    /// Entries that do not fit the body (a damaged or hostile list) are left out.
    public static func events(body: ArraySlice<UInt8>, metadata: [UInt8]) -> (events: [Event], end: StreamEnd?) {
        var events: [Event] = []
        var end: StreamEnd?
        for line in String(decoding: metadata, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == endKey {
                end = StreamEnd(rawValue: parts[1])
                continue
            }
            let values = parts[1].split(separator: " ")
            guard parts[0] == eventKey, values.count == 3, let offset = Int(values[0]), let length = Int(values[1]), offset >= 0, length >= 0,
                offset <= body.count - length
            else { continue }
            let start = body.startIndex + offset
            events.append(Event(bytes: Array(body[start..<(start + length)]), date: String(values[2])))
        }
        return (events, end)
    }
}
