import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import TestSupport
import Testing
import WARC

/// Hostile HTTP against the recording proxy: each request is refused, the proxy goes on
/// serving, and nothing smuggled in one reaches the archive.
@Suite struct RecordingProxyHostileHTTPTests {
    @Test(.timeLimit(.minutes(10)))
    func everyHostileRequestIsRefusedAndTheNextOneIsServed() async throws {
        let sim = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router())
        let proxy = try await RecordingFixture.start(upstream: sim.baseURL)
        defer { proxy.remove() }
        for hostile in HostileRequests.cases {
            let answer = try await RawSocket.exchange(port: proxy.server.port, bytes: hostile.bytes)
            #expect(HostileRequests.isRefusal(answer), "\(hostile.name): \(answer.prefix(120))")
            let next = try await proxy.client.execute(HTTPClientRequest(url: proxy.server.baseURL + "/api/control/models"), deadline: .distantFuture)
            #expect(next.status == .ok, "after \(hostile.name)")
            _ = try await next.body.collect(upTo: 1 << 20)
        }
        let files = try await proxy.stop()
        await sim.stop()
        let targets = try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record).filter { $0.type == .request }.compactMap(\.targetURI) }
        #expect(!targets.contains { $0.contains(HostileRequests.smuggledPath) }, "a smuggled request was recorded")
        #expect(targets.filter { $0.hasSuffix("/api/control/models") }.count == HostileRequests.cases.count, "only the normal requests were recorded")
    }
}
