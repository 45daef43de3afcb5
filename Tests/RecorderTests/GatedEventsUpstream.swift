import AomiAPI
import AsyncHTTPClient
import HTTPServing
import Hummingbird
import NIOCore
import NIOSSL

/// An upstream whose `/api/updates` sends `tool_update`, then `tool_complete` only once the
/// client has received the first event (through whatever stands between): a proxy that
/// buffers deadlocks on it, one that relays event by event does not.
struct GatedEventsUpstream {
    let server: ApplicationServer
    private let open: AsyncStream<Void>.Continuation

    static func start(tls: TLSConfiguration? = nil) async throws -> GatedEventsUpstream {
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let router = Router()
        router.get("/api/updates") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "data: {\"type\":\"tool_update\",\"session_id\":\"s\"}\n\n"))
                    for await _ in gate { break }
                    try await writer.write(ByteBuffer(string: "data: {\"type\":\"tool_complete\",\"session_id\":\"s\"}\n\n"))
                    try await writer.finish(nil)
                })
        }
        return GatedEventsUpstream(server: try await ApplicationServer.start(router: router, tls: tls), open: open)
    }

    /// Reads `/api/updates` at `base` with `client`, opening the gate when the first event has
    /// arrived; returns the types of the events received.
    func readEvents(from base: String, client: HTTPClient) async throws -> [String] {
        var request = HTTPClientRequest(url: base + "/api/updates")
        request.headers.add(name: "X-Session-Id", value: "s")
        let response = try await client.execute(request, deadline: .distantFuture)
        var parser = ServerSentEventParser()
        var received: [String] = []
        for try await chunk in response.body {
            for event in parser.feed(chunk.readableBytesView) {
                received.append(event.updateEvent?.type ?? "?")
                if received.count == 1 { open.yield() }
            }
        }
        return received
    }
}
