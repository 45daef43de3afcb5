import AomiArchive
import NIOHTTP1
import WARC

/// Answers as the bytes written to a client: the status line and end-to-end header fields,
/// `Content-Length` for the body served (or chunked framing for a stream), and the
/// connection's own fields (CORS). The replay frames its answers itself rather than through
/// NIO's `HTTPResponseEncoder` (as the proxy does): measured side by side, the encoder and
/// NIO's pipelining handler cost 8.6% of replay throughput; a recorded answer's bytes are then
/// made once per way it is served (`PreparedAnswers`). Requests are read by NIO's decoder, as
/// the proxy's are.
enum HTTPResponseBytes {
    /// The bytes of an engine's answer, with `extra` fields added.
    static func bytes(of answer: ReplayAnswer, extra: [(String, String)]) -> [UInt8] {
        answer.isStreamHead
            ? streamHead(status: answer.status, reason: answer.reason, fields: answer.fields, extra: extra)
            : response(status: answer.status, reason: answer.reason, fields: answer.fields, extra: extra, body: answer.body)
    }

    /// Fields that describe one connection or the recorded framing, never replayed as they were.
    static let notReplayed = HopByHop.fieldsAndLength

    static func response(status: Int, reason: String, fields: [HTTPMessageHead.Field], extra: [(String, String)], body: [UInt8]) -> [UInt8] {
        var head = statusLine(status, reason)
        appendFields(fields, extra: extra, to: &head)
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// The head of a replayed SSE response; events follow as chunks.
    static func streamHead(status: Int, reason: String, fields: [HTTPMessageHead.Field], extra: [(String, String)]) -> [UInt8] {
        var head = statusLine(status, reason)
        appendFields(fields, extra: extra, to: &head)
        head += "Transfer-Encoding: chunked\r\n\r\n"
        return Array(head.utf8)
    }

    static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [0x0D, 0x0A]
    }

    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// A JSON answer made by the replay itself (misses, rejected keys, control endpoints).
    static func json(status: Int, reason: String, body: [UInt8], extra: [(String, String)]) -> [UInt8] {
        response(status: status, reason: reason, fields: [HTTPMessageHead.Field(name: "Content-Type", value: "application/json")], extra: extra, body: body)
    }

    private static func statusLine(_ status: Int, _ reason: String) -> String {
        "HTTP/1.1 \(status) \(reason.isEmpty ? HTTPResponseStatus(statusCode: status).reasonPhrase : reason)\r\n"
    }

    /// The recorded fields, then `extra`; a recorded field `extra` also names is left out (a
    /// recorded `Access-Control-Allow-Origin: *` beside the replay's own would make the
    /// browser refuse the answer).
    private static func appendFields(_ fields: [HTTPMessageHead.Field], extra: [(String, String)], to head: inout String) {
        let replaced = Set(extra.map { $0.0.lowercased() })
        for field in fields where !notReplayed.contains(field.name.lowercased()) && !replaced.contains(field.name.lowercased()) {
            head += "\(field.name): \(field.value)\r\n"
        }
        for (name, value) in extra {
            head += "\(name): \(value)\r\n"
        }
    }
}
