import AomiArchive
import NIOHTTP1

/// The heads the replay writes: the recorded status, reason and end-to-end fields (hop-by-hop
/// ones and the recorded framing dropped), then the connection's own fields (CORS), then the
/// framing of what is served: `Content-Length`, or chunked for a stream.
enum ReplayResponseHead {
    /// Fields that describe one connection or the recorded framing, never replayed as they were.
    static let notReplayed = HopByHop.fieldsAndLength

    /// The head of an engine's answer, with `extra` fields added.
    static func of(_ answer: ReplayAnswer, extra: [(String, String)]) -> HTTPResponseHead {
        make(status: answer.status, reason: answer.reason, fields: answer.fields, extra: extra, bodyLength: answer.isStreamHead ? nil : answer.body.count)
    }

    /// A head with `bodyLength` bytes of body, or, given nil, a chunked one (a stream).
    /// A recorded field that `extra` also names is left out (a recorded
    /// `Access-Control-Allow-Origin: *` beside the replay's own would make a browser refuse it).
    static func make(status: Int, reason: String, fields: [HTTPMessageHead.Field], extra: [(String, String)], bodyLength: Int?) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(fields.count + extra.count + 1)
        let replaced = Set(extra.map { $0.0.lowercased() })
        for field in fields {
            let name = field.name.lowercased()
            if !notReplayed.contains(name) && !replaced.contains(name) { headers.add(name: field.name, value: field.value) }
        }
        for (name, value) in extra { headers.add(name: name, value: value) }
        if let bodyLength {
            headers.add(name: "Content-Length", value: String(bodyLength))
        } else {
            headers.add(name: "Transfer-Encoding", value: "chunked")
        }
        let status = reason.isEmpty ? HTTPResponseStatus(statusCode: status) : .custom(code: UInt(clamping: status), reasonPhrase: reason)
        return HTTPResponseHead(version: .http1_1, status: status, headers: headers)
    }

    /// A JSON answer made by the replay itself (refusals, control endpoints).
    static func json(status: Int, body: [UInt8], extra: [(String, String)]) -> HTTPResponseHead {
        make(status: status, reason: "", fields: [HTTPMessageHead.Field(name: "Content-Type", value: "application/json")], extra: extra, bodyLength: body.count)
    }
}
