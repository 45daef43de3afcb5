import AomiAPI
import AsyncHTTPClient
import HTTPServing
import Hummingbird
import NIOCore
import NIOHTTP1

/// A backend that repeats system events, as the simulator did before it handed each out once:
/// it forwards every request to a real simulator and answers `/api/chat`, `/api/state` and
/// `/api/interrupt` with every system event the session has had so far. The real client's
/// wallet flow hangs against such a backend; the driver must fail against it.
struct RepeatingEventsBackend {
    let server: ApplicationServer

    static func start(forwardingTo upstream: String) async throws -> RepeatingEventsBackend {
        let history = EventHistory()
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .delete, .patch] {
            router.on("**", method: method) { request, _ in
                try await forward(request, to: upstream, history: history)
            }
        }
        return RepeatingEventsBackend(server: try await ApplicationServer.start(router: router))
    }

    private static func forward(_ request: Request, to base: String, history: EventHistory) async throws -> Response {
        // The updates channel opens and ends at once: the client reconnects, which is all it needs here.
        if request.uri.path == AomiPath.updates { return Response(status: .ok, headers: [.contentType: "text/event-stream"]) }
        var upstream = HTTPClientRequest(url: base + request.uri.description)
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where field.name.canonicalName != "host" {
            upstream.headers.add(name: field.name.rawName, value: field.value)
        }
        upstream.body = .bytes(try await request.body.collect(upTo: 1 << 20))
        let answer = try await HTTPClient.shared.execute(upstream, timeout: .seconds(120))
        var body = Array(try await answer.body.collect(upTo: 16 << 20).readableBytesView)
        let session = request.headers[.init("X-Session-Id")!] ?? ""
        if SessionSnapshot.drainingPaths.contains(request.uri.path), answer.status == .ok,
            var snapshot = try? JSONCoding.decode(SessionSnapshot.self, from: body)
        {
            snapshot.systemEvents = await history.append(snapshot.systemEvents, session: session)
            body = JSONCoding.encode(snapshot)
        }
        return Response(
            status: .init(code: Int(answer.status.code)), headers: [.contentType: answer.headers.first(name: "Content-Type") ?? "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Every system event each session has had.
    private actor EventHistory {
        var events: [String: [JSONValue]] = [:]

        func append(_ new: [JSONValue], session: String) -> [JSONValue] {
            events[session, default: []] += new
            return events[session]!
        }
    }
}
