import AomiArchive
import HTTPTypes
import NIOHTTP1

/// Header rewriting between the client and the upstream, and conversion to the recorded form.
enum ProxyHeaders {
    /// Hop-by-hop fields: they describe one connection, not the message, so they are not passed on.
    static let hopByHop = HopByHop.fields

    /// The request head sent upstream: end-to-end fields kept, `Host` naming the upstream, and
    /// the body framed as the client framed it (chunked bodies stay chunked).
    static func upstreamHead(_ head: HTTPRequestHead, host: String) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        for (name, value) in head.headers where !hopByHop.contains(name.lowercased()) && name.lowercased() != "host" {
            headers.add(name: name, value: value)
        }
        headers.add(name: "Host", value: host)
        if head.headers["transfer-encoding"].contains(where: { $0.lowercased().contains("chunked") }) {
            headers.add(name: "Transfer-Encoding", value: "chunked")
        } else if !headers.contains(name: "content-length"), head.method.hasRequestBodyForSure {
            headers.add(name: "Content-Length", value: "0")
        }
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: headers)
    }

    /// The response head sent to the client: end-to-end fields, `Content-Length` kept (the
    /// encoder chunks a body without one).
    static func clientHead(_ head: HTTPResponseHead, version: HTTPVersion, keepAlive: Bool) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        for (name, value) in head.headers where !hopByHop.contains(name.lowercased()) {
            headers.add(name: name, value: value)
        }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        return HTTPResponseHead(version: version, status: head.status, headers: headers)
    }

    /// Bytes of a request head as they count against the header limit.
    static func size(of head: HTTPRequestHead) -> Int {
        head.uri.utf8.count + head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    static func fields(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return fields
    }
}

extension HTTPMethod {
    /// Methods whose requests carry a body by definition (the encoder would chunk them otherwise).
    var hasRequestBodyForSure: Bool {
        switch self {
        case .POST, .PUT, .PATCH: true
        default: false
        }
    }
}
