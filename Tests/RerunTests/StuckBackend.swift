import AomiAPI
import HTTPServing
import Hummingbird
import NIOCore

/// A backend that starts a turn and then fails it: every `GET /api/state` answers 500, or
/// (`failPolls` false) says the agent is still processing, for ever. It tells the test when the
/// first poll came, so the test acts on a turn known to be under way.
struct StuckBackend {
    let server: ApplicationServer
    /// Yields once per poll received.
    let polls: AsyncStream<Void>

    static func start(failPolls: Bool) async throws -> StuckBackend {
        let (polls, polled) = AsyncStream.makeStream(of: Void.self)
        let router = Router()
        let processing = String(decoding: JSONCoding.encode(SessionSnapshot(isProcessing: true)), as: UTF8.self)
        router.get("/api/control/models") { _, _ in json(#"["m"]"#) }
        router.post("/api/sessions") { _, _ in json(#"{"session_id":"s","title":"New chat"}"#) }
        router.post("/api/secrets") { _, _ in json("{}") }
        router.delete("/api/secrets") { _, _ in json("{}") }
        router.post("/api/control/model") { _, _ in json("{}") }
        router.post("/api/chat") { _, _ in json(processing) }
        router.get("/api/state") { _, _ in
            polled.yield()
            return failPolls ? json(#"{"error":"the agent crashed","status":500}"#, .internalServerError) : json(processing)
        }
        router.get("/api/updates") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: ": ping\n\n"))
                    try await Task.sleep(for: .seconds(3600))
                    try await writer.finish(nil)
                })
        }
        return StuckBackend(server: try await ApplicationServer.start(router: router), polls: polls)
    }
}

private func json(_ text: String, _ status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}
