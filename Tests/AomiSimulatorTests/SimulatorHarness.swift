import AomiAPI
import AomiSimulator
import HTTPServing
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A real simulator on a free loopback port and an HTTP client to talk to it.
struct SimulatorHarness {
    let server: RunningServer
    let backend: SimulatorBackend
    let client: HTTPClient
    /// A key made for this run (never a fixed value in the tests).
    let appKey: String

    static func start(_ configure: (inout SimulatorConfiguration) -> Void = { _ in }) async throws -> SimulatorHarness {
        let key = "key-" + UUID().uuidString
        var configuration = SimulatorConfiguration.fast(appKeys: [SimulatorConfiguration.keyedApp: key])
        configure(&configuration)
        let backend = SimulatorBackend(configuration: configuration)
        let server = try await RunningServer.start(router: SimulatorRoutes(backend: backend).router())
        return SimulatorHarness(server: server, backend: backend, client: HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup), appKey: key)
    }

    func stop() async throws {
        try await client.shutdown()
        await server.stop()
    }

    struct Reply {
        var status: Int
        var body: [UInt8]
        var headers: HTTPHeaders

        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> JSONValue { try JSONCoding.decode(JSONValue.self, from: body) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONCoding.decode(type, from: body) }
    }

    func send(_ method: HTTPMethod, _ path: String, session: String? = nil, headers: [(String, String)] = [], body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        if let session { request.headers.add(name: AomiHeader.sessionID, value: session) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return Reply(status: Int(response.status.code), body: Array(bytes.readableBytesView), headers: response.headers)
    }

    /// Opens `/api/updates` and hands over its events as they arrive.
    func subscribe(session: String) async throws -> (HTTPClientResponse, AsyncStream<ServerSentEvent>) {
        var request = HTTPClientRequest(url: server.baseURL + AomiPath.updates)
        request.headers.add(name: AomiHeader.sessionID, value: session)
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await client.execute(request, deadline: .distantFuture)
        let (events, continuation) = AsyncStream.makeStream(of: ServerSentEvent.self)
        let body = response.body
        let reader = Task {
            var parser = ServerSentEventParser()
            do {
                for try await chunk in body {
                    parser.feed(chunk.readableBytesView).forEach { continuation.yield($0) }
                }
            } catch {}
            continuation.finish()
        }
        continuation.onTermination = { _ in reader.cancel() }
        return (response, events)
    }

    /// Polls `/api/state` until the agent is done; returns every snapshot seen.
    func pollUntilDone(session: String, limit: Int = 200) async throws -> [SessionSnapshot] {
        var snapshots: [SessionSnapshot] = []
        for _ in 0..<limit {
            let snapshot = try await send(.GET, AomiPath.state, session: session).decode(SessionSnapshot.self)
            snapshots.append(snapshot)
            if !snapshot.isProcessing { return snapshots }
            try await Task.sleep(for: .milliseconds(5))
        }
        return snapshots
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// Reads events until one matches or `count` events have passed.
func collect(_ events: AsyncStream<ServerSentEvent>, until stop: (UpdateEvent) -> Bool, limit: Int = 50) async -> [ServerSentEvent] {
    var seen: [ServerSentEvent] = []
    for await event in events {
        seen.append(event)
        if let update = event.updateEvent, stop(update) { break }
        if seen.count >= limit { break }
    }
    return seen
}
