import AsyncHTTPClient
import Foundation
import TestSupport
import Testing

/// Hostile HTTP against the replay server: each request is refused and the replay goes on.
@Suite struct ReplayHostileHTTPTests {
    @Test(.timeLimit(.minutes(10)))
    func everyHostileRequestIsRefusedAndTheNextOneIsServed() async throws {
        let recorded = try await RecordedReplay.declared()
        defer { recorded.remove() }
        let (server, engine) = try await recorded.serve()
        for hostile in HostileRequests.cases {
            let answer = try await RawSocket.exchange(port: server.port, bytes: hostile.bytes)
            #expect(HostileRequests.isRefusal(answer), "\(hostile.name): \(answer.prefix(120))")
            let next = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.baseURL + "/_replay/status"), deadline: .distantFuture)
            #expect(next.status == .ok, "after \(hostile.name)")
            _ = try await next.body.collect(upTo: 1 << 20)
        }
        #expect(engine.status()["sessions"] != nil)
        await server.stop()
    }
}
