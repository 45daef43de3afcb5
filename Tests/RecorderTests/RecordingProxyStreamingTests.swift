import AomiAPI
import AomiArchive
import AsyncHTTPClient
import Foundation
import HTTPServing
import Hummingbird
import NIOCore
import Recorder
import TestSupport
import Testing
import WARC

@Suite struct RecordingProxyStreamingTests {
    /// The client sends the second chunk of its body only after the upstream has received the
    /// first one through the proxy: a proxy that buffers request bodies deadlocks here.
    @Test(.timeLimit(.minutes(10))) func requestBodiesStreamThroughChunkByChunk() async throws {
        let (firstArrived, signalFirst) = AsyncStream.makeStream(of: Void.self)
        let router = Router()
        router.post("/upload") { request, _ in
            var received = 0
            for try await chunk in request.body {
                received += chunk.readableBytes
                if received >= 5 { signalFirst.yield() }
            }
            return "received \(received)"
        }
        let upstream = try await ApplicationServer.start(router: router)
        let proxy = try await RecordingFixture.start(upstream: upstream.baseURL)
        defer { proxy.remove() }
        let (chunks, send) = AsyncStream.makeStream(of: ByteBuffer.self)
        var request = HTTPClientRequest(url: proxy.server.baseURL + "/upload")
        request.method = .POST
        request.headers.add(name: "X-Session-Id", value: "upload-session")
        request.body = .stream(chunks, length: .unknown)
        async let response = proxy.client.execute(request, timeout: .seconds(120))
        send.yield(ByteBuffer(string: "first"))
        for await _ in firstArrived { break }
        send.yield(ByteBuffer(string: "-second"))
        send.finish()
        let answer = try await response
        let body = try await answer.body.collect(upTo: 1024)
        #expect(String(buffer: body) == "received 12")
        let files = try await proxy.stop()
        await upstream.stop()
        let records = try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
        let recorded = try #require(records.first { $0.type == .request })
        #expect(String(decoding: recorded.httpPayload ?? [], as: UTF8.self) == "first-second")
    }

    @Test func aHeadOverTheLimitIs431AndTheProxyKeepsServing() async throws {
        let router = Router()
        router.get("/fast") { _, _ in "ok" }
        let upstream = try await ApplicationServer.start(router: router)
        let proxy = try await RecordingFixture.start(upstream: upstream.baseURL, maxHeader: 4096)
        defer { proxy.remove() }
        var big = HTTPClientRequest(url: proxy.server.baseURL + "/fast")
        big.headers.add(name: "X-Padding", value: String(repeating: "p", count: 8000))
        let refused = try await proxy.client.execute(big, timeout: .seconds(120))
        #expect(refused.status.code == 431)
        let body = try await refused.body.collect(upTo: 4096)
        #expect(try JSONCoding.decode(APIError.self, from: body.readableBytesView).status == 431)
        #expect(try await proxy.client.execute(HTTPClientRequest(url: proxy.server.baseURL + "/fast"), timeout: .seconds(120)).status.code == 200)
        let files = try await proxy.stop()
        await upstream.stop()
        let records = try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
        #expect(records.filter { $0.type == .request }.count == 1, "a refused request is not sent upstream nor recorded")
    }

    /// Odd targets and oversized ids: CONNECT and `*` are refused, an absolute-form target goes
    /// upstream as its path and is recorded under its own authority (a valid URI), session ids
    /// and client_ids over 256 bytes are a 400 that is not recorded; the proxy goes on serving.
    @Test(.timeLimit(.minutes(10))) func oddTargetsAndOversizedIdsAreRefusedOrRecordedAsValidURIs() async throws {
        let router = Router()
        router.post("/api/state") { request, _ in "path \(request.uri.path)" }
        router.get("/fast") { _, _ in "ok" }
        let upstream = try await ApplicationServer.start(router: router)
        let proxy = try await RecordingFixture.start(upstream: upstream.baseURL)
        defer { proxy.remove() }
        let port = proxy.server.port
        func send(_ head: String) async throws -> String {
            try await RawSocket.exchange(port: port, bytes: Array((head + "Connection: close\r\nContent-Length: 0\r\n\r\n").utf8))
        }
        let connect = try await send("CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n")
        let star = try await send("OPTIONS * HTTP/1.1\r\nHost: x\r\n")
        let absolute = try await send("POST http://evil.example/api/state HTTP/1.1\r\nHost: evil.example\r\nX-Session-Id: abs\r\n")
        let longSession = try await send("GET /fast HTTP/1.1\r\nHost: x\r\nX-Session-Id: \(String(repeating: "s", count: 300))\r\n")
        let longClient = try await send("GET /fast?client_id=\(String(repeating: "c", count: 300)) HTTP/1.1\r\nHost: x\r\n")
        let normal = try await send("GET /fast HTTP/1.1\r\nHost: x\r\n")
        let files = try await proxy.stop()
        await upstream.stop()
        #expect(connect.hasPrefix("HTTP/1.1 405"), "\(connect.prefix(80))")
        #expect(star.hasPrefix("HTTP/1.1 400"), "\(star.prefix(80))")
        #expect(absolute.hasPrefix("HTTP/1.1 200") && absolute.hasSuffix("path /api/state"), "\(absolute)")
        #expect(longSession.hasPrefix("HTTP/1.1 400") && longSession.contains("over the limit of 256"), "\(longSession.prefix(200))")
        #expect(longClient.hasPrefix("HTTP/1.1 400") && longClient.contains("client_id"), "\(longClient.prefix(200))")
        #expect(normal.hasPrefix("HTTP/1.1 200"))
        let records = try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
        let targets = records.filter { $0.type == .request }.compactMap(\.targetURI)
        #expect(targets.sorted() == ["http://evil.example/api/state", upstream.baseURL + "/fast"].sorted(), "\(targets)")
        #expect(targets.allSatisfy { URL(string: $0)?.host != nil })
        for file in files { #expect(try await Warcio.run(["check", file]).status == 0) }
    }

    /// The client goes away after the first event: the proxy closes the upstream stream (the
    /// upstream's next write fails) and records the stream's end as `client-closed`. The
    /// upstream writes its next events only once the proxy has let the client go, so nothing
    /// after the first event can be relayed, however the machine schedules the two sides.
    @Test(.timeLimit(.minutes(10))) func aClientLeavingMidStreamClosesTheUpstreamAndIsRecorded() async throws {
        let (upstreamGone, signalGone) = AsyncStream.makeStream(of: Void.self)
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let router = Router()
        router.get("/api/updates") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    do {
                        try await writer.write(ByteBuffer(string: "data: {\"type\":\"tool_update\",\"session_id\":\"s\",\"n\":0}\n\n"))
                        for await _ in gate { break }
                        for index in 1..<1000 {
                            try await writer.write(ByteBuffer(string: "data: {\"type\":\"tool_update\",\"session_id\":\"s\",\"n\":\(index)}\n\n"))
                        }
                    } catch {
                        signalGone.yield()
                        throw error
                    }
                    signalGone.yield()
                    try await writer.finish(nil)
                })
        }
        let upstream = try await ApplicationServer.start(router: router)
        let proxy = try await RecordingFixture.start(upstream: upstream.baseURL)
        defer { proxy.remove() }
        let leaving = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var request = HTTPClientRequest(url: proxy.server.baseURL + "/api/updates")
        request.headers.add(name: "X-Session-Id", value: "s")
        let response = try await leaving.execute(request, deadline: .distantFuture)
        var iterator = response.body.makeAsyncIterator()
        _ = try await iterator.next()
        try await leaving.shutdown()
        // Polls for an event (the proxy has let the client go), with no deadline: the test's time limit catches a hang.
        while proxy.server.openConnections > 0 { try await Task.sleep(for: .milliseconds(10)) }
        open.finish()
        for await _ in upstreamGone { break }
        // stop() returns once every exchange it saw is archived, the stream's end included.
        let files = try await proxy.stop()
        await upstream.stop()
        let records = try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
        let last = try #require(records.last { $0.type == .continuation })
        #expect(last.headers["Aomi-Stream-End"] == "client-closed")
        #expect(records.filter { $0.type == .continuation }.count == 2, "the first event and the stream's end; nothing the upstream wrote later")
        for file in files { #expect(try await Warcio.run(["check", file]).status == 0) }
    }
}
