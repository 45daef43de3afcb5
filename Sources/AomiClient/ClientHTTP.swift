import AomiAPI
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The real client's HTTP calls: its headers, query-string arguments and JSON bodies (the
/// simulator's driver and `rerun` both send through it).
public struct ClientHTTP: Sendable {
    /// A whole answer: its status and body.
    public struct Reply: Sendable {
        public var status: Int
        public var body: [UInt8]

        /// Throws unless the status is 2xx, naming `what` and the start of the body.
        public func expectOK(_ what: String) throws(AomiClientError) {
            guard (200..<300).contains(status) else {
                throw AomiClientError(message: "\(what): HTTP \(status) \(String(decoding: body.prefix(300), as: UTF8.self))")
            }
        }
    }

    /// The `user_state` the real client sends for a connected wallet (snake_case, `ext` empty).
    public static func userState(wallet: String) -> String {
        #"{"address":"\#(wallet)","chain_id":1,"is_connected":true,"ext":{}}"#
    }

    public let client: HTTPClient
    public let target: String
    public let appKey: String?
    public let counter: RequestCounter
    public let timeout: Duration

    public init(client: HTTPClient, target: String, appKey: String?, counter: RequestCounter, timeout: Duration) {
        self.client = client
        self.target = target
        self.appKey = appKey
        self.counter = counter
        self.timeout = timeout
    }

    /// One request as the real client makes it; `session` nil for the calls it makes without
    /// `X-Session-Id` (the thread list, the secrets calls).
    public func send(_ method: HTTPMethod, _ path: String, session: String?, query: [(String, String)] = [], json: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: target + path + Self.queryString(query))
        request.method = method
        if let session { request.headers.add(name: AomiHeader.sessionID, value: session) }
        request.headers.add(name: "Accept", value: "application/json")
        if let appKey { request.headers.add(name: AomiHeader.apiKey, value: appKey) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        await counter.increment()
        let response = try await client.execute(request, timeout: TimeAmount(timeout))
        let body = try await response.body.collect(upTo: 32 << 20)
        return Reply(status: Int(response.status.code), body: Array(body.readableBytesView))
    }

    /// Opens `/api/updates` for a session; the response body streams its events.
    public func openUpdates(session: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: target + AomiPath.updates)
        request.headers.add(name: AomiHeader.sessionID, value: session)
        request.headers.add(name: "Accept", value: "text/event-stream")
        await counter.increment()
        return try await client.execute(request, deadline: .distantFuture)
    }

    /// The query as `URLSearchParams` builds it (form encoding: a space is `+`, a `+` is `%2B`).
    public static func queryString(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// What `URLSearchParams` leaves as it is; a space becomes `+`, anything else `%XX`.
    private static let formSafe = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*")

    public static func encode(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false)
            .map { String($0).addingPercentEncoding(withAllowedCharacters: formSafe) ?? String($0) }
            .joined(separator: "+")
    }
}

/// Counts the requests a run made.
public actor RequestCounter {
    public private(set) var count = 0

    public init() {}

    public func increment() {
        count += 1
    }
}
