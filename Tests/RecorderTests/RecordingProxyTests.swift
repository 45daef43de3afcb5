import AomiAPI
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import Hummingbird
import NIOCore
import Recorder
import TestSupport
import Testing
import WARC

@Suite struct RecordingProxyTests {
    @Test func drivenTrafficPassesThroughAndIsRecordedPerWallet() async throws {
        let backend = SimulatorBackend(configuration: .fast())
        let sim = try await ApplicationServer.start(router: SimulatorRoutes(backend: backend).router())
        let proxy = try await RecordingFixture.start(upstream: sim.baseURL)
        defer { proxy.remove() }
        let report = try await AomiDriver(configuration: .fast(target: proxy.server.baseURL, wallets: 2, threads: 1, messages: 3, concurrency: 2)).run()
        let files = try await proxy.stop()
        await sim.stop()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.threads.allSatisfy { $0.title != nil && $0.walletRequests.count == 1 })

        for thread in report.threads {
            #expect(files.contains { $0.contains("/\(thread.wallet)/") }, "no folder for \(thread.wallet)")
        }
        for file in files where file.contains("/_unbound/") {
            let requests = try WARCFileReader.readAll(path: file).records.map(\.record).filter { $0.type == .request }
            #expect(
                requests.allSatisfy { String(decoding: $0.block.prefix(18), as: UTF8.self) == "POST /api/secrets " },
                "only the secrets registered before the session named its wallet are unbound")
        }
        #expect(files.contains { $0.contains("/_unbound/") }, "the secrets registered at start, before any session used their client_id")
        var sequences: [String: [Int]] = [:]
        var types: [WARCRecordType: Int] = [:]
        for file in files {
            let (records, damage) = try WARCFileReader.readAll(path: file)
            #expect(damage.isEmpty)
            for record in records.map(\.record) {
                types[record.type, default: 0] += 1
                if record.type == .request, let line = String(decoding: record.block.prefix(80), as: UTF8.self).split(separator: "\r\n").first,
                    line.hasPrefix("GET /api/sessions?public_key=") || line.hasPrefix("DELETE /api/secrets")
                {
                    #expect(record.headers["Aomi-Wallet"] != nil, "\(line) is attributed to its wallet")
                }
                if record.type == .request, let session = record.headers["Aomi-Session-Id"], let sequence = record.headers["Aomi-Exchange-Seq"].flatMap({ Int($0) }) {
                    sequences[session, default: []].append(sequence)
                }
            }
            let check = try await Warcio.run(["check", file])
            #expect(check.status == 0, "\(check.output)")
        }
        #expect(types[.revisit, default: 0] > 0)
        #expect(types[.continuation, default: 0] > 0)
        for thread in report.threads {
            let seen = sequences[thread.sessionID, default: []].sorted()
            #expect(!seen.isEmpty && seen == Array(1...seen.count), "sequence of \(thread.sessionID)")
        }
        #expect(proxy.proxy.statistics.exchanges > 0)
    }

    /// The upstream sends event 2 only after the client has received event 1 through the proxy:
    /// a buffering proxy deadlocks here.
    @Test(.timeLimit(.minutes(10))) func sseEventsReachTheClientOneByOne() async throws {
        let gated = try await GatedEventsUpstream.start()
        let upstream = gated.server
        let proxy = try await RecordingFixture.start(upstream: upstream.baseURL)
        defer { proxy.remove() }
        let received = try await gated.readEvents(from: proxy.server.baseURL, client: proxy.client)
        #expect(received == ["tool_update", "tool_complete"])
        // stop() returns once every exchange it saw is archived: no wait for the stream's end record.
        let files = try await proxy.stop()
        await upstream.stop()
        let records = try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
        let stream = records.filter { $0.type == .response || $0.type == .continuation }
        #expect(stream.map(\.type) == [.response, .continuation, .continuation, .continuation])
        #expect(stream.first?.headers[WARCField.segmentNumber] == "1")
        #expect(stream.last?.headers["Aomi-Stream-End"] == "upstream-closed")
        #expect(stream.last?.headers[WARCField.segmentTotalLength] == String(stream.map(\.block.count).reduce(0, +)))
        #expect(String(decoding: stream[1].block, as: UTF8.self).contains("tool_update"))
        for file in files { #expect(try await Warcio.run(["check", file]).status == 0) }
    }

    @Test func anUnreachableUpstreamIs502AndStillRecorded() async throws {
        let closed = try RefusingPort()
        let address = closed.baseURL
        let proxy = try await RecordingFixture.start(upstream: address)
        defer { proxy.remove() }
        var request = HTTPClientRequest(url: proxy.server.baseURL + "/api/state")
        request.headers.add(name: "X-Session-Id", value: "s")
        let response = try await proxy.client.execute(request, timeout: .seconds(120))
        #expect(response.status.code == 502)
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(try JSONCoding.decode(APIError.self, from: body.readableBytesView).status == 502)
        let files = try await proxy.stop()
        let records = try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
        #expect(records.contains { $0.type == .response && $0.headers["Aomi-Upstream-Error"] != nil })
        withExtendedLifetime(closed) {}
    }

    @Test(.timeLimit(.minutes(10))) func aSlowUpstreamIs504AndAnOversizedBodyIs413() async throws {
        // /slow answers only when the test opens the gate, after the proxy has given up on it:
        // the 504 comes from the proxy's timeout, however slow the machine is.
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let router = Router()
        router.get("/slow") { _, _ in
            for await _ in gate { break }
            return "late"
        }
        router.get("/fast") { _, _ in "ok" }
        let upstream = try await ApplicationServer.start(router: router)
        let impatient = try await RecordingFixture.start(upstream: upstream.baseURL, timeout: .milliseconds(300))
        defer { impatient.remove() }
        let slow = try await impatient.client.execute(HTTPClientRequest(url: impatient.server.baseURL + "/slow"), timeout: .seconds(120))
        #expect(slow.status.code == 504)
        open.finish()
        let timedOut = try await impatient.stop()
        let records = try timedOut.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
        #expect(records.contains { $0.type == .response && $0.headers["Aomi-Upstream-Error"] != nil }, "the 504 is recorded with its cause")

        let proxy = try await RecordingFixture.start(upstream: upstream.baseURL, maxBody: 1024)
        defer { proxy.remove() }
        var big = HTTPClientRequest(url: proxy.server.baseURL + "/fast")
        big.method = .POST
        big.body = .bytes(ByteBuffer(repeating: 0x61, count: 4096))
        #expect(try await proxy.client.execute(big, timeout: .seconds(120)).status.code == 413)
        #expect(try await proxy.client.execute(HTTPClientRequest(url: proxy.server.baseURL + "/fast"), timeout: .seconds(120)).status.code == 200)
        _ = try await proxy.stop()
        await upstream.stop()
    }
}
