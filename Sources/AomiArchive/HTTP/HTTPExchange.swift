import HTTPTypes
import WARC

/// A request as the recorder saw it: method, target (path and query), headers, body, arrival time.
public struct CapturedRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: HTTPFields
    public var body: [UInt8]
    public var date: WARCDate

    public init(method: String, target: String, headers: HTTPFields, body: [UInt8], date: WARCDate = .now()) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.date = date
    }
}

/// A response as the recorder saw it (body de-chunked), with the time its head arrived.
public struct CapturedResponse: Sendable {
    public var status: Int
    public var reason: String
    public var headers: HTTPFields
    public var body: [UInt8]
    public var date: WARCDate

    public init(status: Int, reason: String, headers: HTTPFields, body: [UInt8], date: WARCDate = .now()) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.date = date
    }
}

/// One request and its response, or the error that stood in for the response.
public struct HTTPExchange: Sendable {
    public var request: CapturedRequest
    public var response: CapturedResponse
    /// Why the upstream did not answer (`upstream refused`, `timeout`), when the response is the
    /// recorder's own error reply.
    public var upstreamError: String?

    public init(request: CapturedRequest, response: CapturedResponse, upstreamError: String? = nil) {
        self.request = request
        self.response = response
        self.upstreamError = upstreamError
    }
}
