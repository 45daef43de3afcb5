import HTTPTypes

/// The bytes of an HTTP/1.1 message as a WARC block holds it: start line, headers, blank line,
/// body. Written here; read back by `HTTPMessageHead` (start line and fields, beside it) and the
/// block's bytes after it.
///
/// Hop-by-hop framing is dropped (bodies are stored de-chunked), and `Content-Length` is set
/// to the stored body's length so that readers such as warcio parse the block as stored.
public enum HTTPBlock {
    public static func request(_ request: CapturedRequest) -> [UInt8] {
        message(startLine: "\(request.method) \(request.target) HTTP/1.1", headers: request.headers, body: request.body, setLength: !request.body.isEmpty)
    }

    public static func response(_ response: CapturedResponse, withBody: Bool = true) -> [UInt8] {
        message(
            startLine: "HTTP/1.1 \(response.status) \(response.reason)", headers: response.headers,
            body: withBody ? response.body : [], setLength: true, bodyLength: response.body.count)
    }

    /// The head of a streamed response (SSE), whose length is not known.
    public static func streamHead(status: Int, reason: String, headers: HTTPFields) -> [UInt8] {
        message(startLine: "HTTP/1.1 \(status) \(reason)", headers: headers, body: [], setLength: false)
    }

    /// Fields that describe one connection, or the framing the block replaces: never stored.
    public static let hopByHop = HopByHop.fieldsAndLength

    private static func message(startLine: String, headers: HTTPFields, body: [UInt8], setLength: Bool, bodyLength: Int? = nil) -> [UInt8] {
        var bytes = Array(startLine.utf8) + [0x0D, 0x0A]
        for field in headers where !hopByHop.contains(field.name.canonicalName) {
            bytes.append(contentsOf: "\(field.name.rawName): \(field.value)\r\n".utf8)
        }
        if setLength { bytes.append(contentsOf: "Content-Length: \(bodyLength ?? body.count)\r\n".utf8) }
        bytes.append(contentsOf: [0x0D, 0x0A])
        bytes.append(contentsOf: body)
        return bytes
    }
}
