import AomiAPI
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The driver's HTTP calls: the real client's headers, query-string arguments and JSON bodies.
struct DriverHTTP: Sendable {
    struct Reply: Sendable {
        var status: Int
        var body: [UInt8]
    }

    let client: HTTPClient
    let target: String
    let appKey: String?
    let counter: RequestCounter

    func send(_ method: HTTPMethod, _ path: String, session: String, query: [(String, String)] = [], json: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: target + path + Self.queryString(query))
        request.method = method
        request.headers.add(name: AomiHeader.sessionID, value: session)
        request.headers.add(name: "Accept", value: "application/json")
        if let appKey { request.headers.add(name: AomiHeader.apiKey, value: appKey) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        await counter.increment()
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 32 << 20)
        return Reply(status: Int(response.status.code), body: Array(body.readableBytesView))
    }

    /// Opens `/api/updates` for a session; the response body streams its events.
    func openUpdates(session: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: target + AomiPath.updates)
        request.headers.add(name: AomiHeader.sessionID, value: session)
        request.headers.add(name: "Accept", value: "text/event-stream")
        await counter.increment()
        return try await client.execute(request, deadline: .distantFuture)
    }

    static func queryString(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

/// Counts the requests a run made.
actor RequestCounter {
    private(set) var count = 0

    func increment() {
        count += 1
    }
}
