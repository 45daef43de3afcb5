import AomiAPI
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import NIOCore
import NIOHTTP1

/// A real simulator on a free loopback port and an HTTP client to talk to it.
struct SimulatorHarness {
    let server: ApplicationServer
    let backend: SimulatorBackend
    /// The process-wide client: a test that fails half-way leaves no client to shut down.
    let client: HTTPClient
    /// A key made for this run (never a fixed value in the tests).
    let appKey: String

    static func start(_ configure: (inout SimulatorConfiguration) -> Void = { _ in }) async throws -> SimulatorHarness {
        let key = "key-" + UUID().uuidString
        var configuration = SimulatorConfiguration.fast(appKeys: [SimulatorConfiguration.keyedApp: key])
        configure(&configuration)
        let backend = SimulatorBackend(configuration: configuration)
        let server = try await ApplicationServer.start(router: SimulatorRoutes(backend: backend).router())
        return SimulatorHarness(server: server, backend: backend, client: HTTPClient.shared, appKey: key)
    }

    func stop() async throws {
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
        let response = try await client.execute(request, timeout: .seconds(120))
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

    /// Polls `/api/state` until the agent is done; returns every snapshot seen. The harness's
    /// simulator moves a turn on by polls, so this is what runs the turn, at any machine speed.
    func pollUntilDone(session: String, limit: Int = 200) async throws -> [SessionSnapshot] {
        var snapshots: [SessionSnapshot] = []
        for _ in 0..<limit {
            let snapshot = try await send(.GET, AomiPath.state, session: session).decode(SessionSnapshot.self)
            snapshots.append(snapshot)
            if !snapshot.isProcessing { return snapshots }
        }
        return snapshots
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// Reads update events until one matches or `limit` of them have passed (comments such as
/// pings are skipped and not counted, however many a slow test run lets through). One iterator
/// serves several reads: leaving a `for await` loop would end the stream.
func collect(_ events: inout AsyncStream<ServerSentEvent>.Iterator, until stop: (UpdateEvent) -> Bool, limit: Int = 50) async -> [UpdateEvent] {
    var seen: [UpdateEvent] = []
    while let event = await events.next() {
        guard let update = event.updateEvent else { continue }
        seen.append(update)
        if stop(update) || seen.count >= limit { break }
    }
    return seen
}

/// Reads until the next comment; whether it was a `: ping`, and the update events before it.
func readUntilPing(_ events: inout AsyncStream<ServerSentEvent>.Iterator) async -> (pinged: Bool, updates: [UpdateEvent]) {
    var updates: [UpdateEvent] = []
    while let event = await events.next() {
        if event.isComment { return (String(decoding: event.raw, as: UTF8.self) == ": ping\n\n", updates) }
        if let update = event.updateEvent { updates.append(update) }
    }
    return (false, updates)
}
