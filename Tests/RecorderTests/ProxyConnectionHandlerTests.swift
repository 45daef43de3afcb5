import AomiArchive
import Foundation
import HTTPServing
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization
import TestSupport
import Testing
import WARC

@testable import Recorder

/// The proxy's channel handler between two testing channels on one testing event loop: the
/// client's bytes in, the upstream's bytes in, what each side is sent out. No socket; the test
/// runs the loop itself.
@Suite struct ProxyConnectionHandlerTests {
    @Test(.timeLimit(.minutes(10)))
    func pipelinedRequestsGoUpstreamOneAfterTheOtherAndComeBackInOrder() async throws {
        let bench = try await ProxyBench()
        try await bench.client.writeInbound(ByteBuffer(string: "GET /api/one HTTP/1.1\r\nHost: x\r\n\r\nGET /api/two HTTP/1.1\r\nHost: x\r\n\r\n"))
        let upstream = try await bench.upstream()
        let first = try await bench.waitForText(to: upstream, containing: "\r\n\r\n")
        #expect(first.hasPrefix("GET /api/one HTTP/1.1") && !first.contains("/api/two"), "the second waits for the first answer: \(first)")
        try await upstream.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"))
        let second = try await bench.waitForText(to: upstream, containing: "/api/two")
        #expect(second.hasPrefix("GET /api/two HTTP/1.1"))
        try await upstream.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"))
        let answers = try await bench.waitForText(to: bench.client, containing: "\r\n\r\ntwo")
        #expect(answers.range(of: "one")!.lowerBound < answers.range(of: "two")!.lowerBound)
        #expect(answers.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        let targets = try await bench.records().filter { $0.type == .request }.compactMap(\.targetURI)
        #expect(targets == ["http://127.0.0.1:9/api/one", "http://127.0.0.1:9/api/two"])
    }

    @Test(.timeLimit(.minutes(10)))
    func anUpstreamGoneMidStreamEndsTheClientsStreamAndIsRecordedAsError() async throws {
        let bench = try await ProxyBench()
        let (upstream, relayed) = try await bench.openStream()
        #expect(relayed.hasPrefix("HTTP/1.1 200 OK"))
        try await upstream.close()
        try await bench.until { bench.client.isActive ? nil : true }
        let records = try await bench.records()
        #expect(records.filter { $0.type == .continuation }.compactMap { $0.headers[AomiField.streamEnd] } == [StreamEnd.error.rawValue])
        #expect(records.contains { $0.type == .continuation && String(decoding: $0.block, as: UTF8.self).contains("tool_update") })
    }

    @Test(.timeLimit(.minutes(10)))
    func aClientGoneMidBodyClosesTheUpstreamAndRecordsNothing() async throws {
        let bench = try await ProxyBench()
        try await bench.client.writeInbound(ByteBuffer(string: "POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"))
        let upstream = try await bench.upstream()
        let forwarded = try await bench.waitForText(to: upstream, containing: "0123456789")
        #expect(forwarded.hasPrefix("POST /api/chat HTTP/1.1"), "the body streams through as it comes")
        try await bench.client.close()
        try await bench.until { upstream.isActive ? nil : true }
        #expect(try await bench.records().filter { $0.type == .request }.isEmpty)
    }

    @Test(.timeLimit(.minutes(10)))
    func aStopAsksAnIdleConnectionToCloseAtOnce() async throws {
        let bench = try await ProxyBench()
        bench.client.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try await bench.until { bench.client.isActive ? nil : true }
        #expect(try await bench.sent(to: bench.client).isEmpty)
    }

    @Test(.timeLimit(.minutes(10)))
    func aStopLetsTheExchangeInFlightFinishThenCloses() async throws {
        let bench = try await ProxyBench()
        try await bench.client.writeInbound(ByteBuffer(string: "GET /api/state HTTP/1.1\r\nHost: x\r\n\r\n"))
        let upstream = try await bench.upstream()
        _ = try await bench.waitForText(to: upstream, containing: "\r\n\r\n")
        bench.client.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        await bench.loop.run()
        #expect(bench.client.isActive, "the request in flight is still answered")
        try await upstream.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
        let answer = try await bench.waitForText(to: bench.client, containing: "{}")
        #expect(answer.hasPrefix("HTTP/1.1 200 OK") && answer.lowercased().contains("connection: close"))
        try await bench.until { bench.client.isActive ? nil : true }
        #expect(try await bench.records().filter { $0.type == .response }.count == 1)
    }

    @Test(.timeLimit(.minutes(10)))
    func aStopEndsAStreamAsRecorderStopped() async throws {
        let bench = try await ProxyBench()
        _ = try await bench.openStream()
        bench.client.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        let end = try await bench.waitForText(to: bench.client, containing: "0\r\n\r\n")
        #expect(end.hasSuffix("0\r\n\r\n"), "the client's stream ends cleanly: \(end)")
        try await bench.until { bench.client.isActive ? nil : true }
        let ends = try await bench.records().filter { $0.type == .continuation }.compactMap { $0.headers[AomiField.streamEnd] }
        #expect(ends == [StreamEnd.recorderStopped.rawValue])
    }

    @Test(.timeLimit(.minutes(10)))
    func aRequestRefusedWhileItsUpstreamConnectsSendsThatConnectionNothing() async throws {
        let bench = try await ProxyBench(maxRequestBodyBytes: 8, holdingConnects: true)
        try await bench.client.writeInbound(
            ByteBuffer(string: "POST /api/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n8\r\nefghijkl\r\n0\r\n\r\n"))
        let answer = try await bench.waitForText(to: bench.client, containing: "\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 413"))
        let upstream = try await bench.upstream()
        try await bench.releaseConnects()
        try await bench.until { upstream.isActive ? nil : true }
        #expect(try await bench.sent(to: upstream).isEmpty, "nothing of the refused request goes upstream")
    }
}

/// A client channel with the proxy's pipeline, an upstream channel made when the proxy
/// connects, and the archive they record into.
final class ProxyBench: Sendable {
    let loop = NIOAsyncTestingEventLoop()
    let client: NIOAsyncTestingChannel
    let archive: WalletArchive
    let root = TemporaryDirectory.path("aomi-handler")
    private let upstreams = UpstreamChannels()
    private let lanes = RecordingLanes()

    /// With `holdingConnects`, an upstream connection opens only when `releaseConnects` says.
    init(maxRequestBodyBytes: Int = 8 << 20, holdingConnects: Bool = false) async throws {
        client = NIOAsyncTestingChannel(loop: loop)
        archive = WalletArchive(settings: .init(root: root, recorderID: "handler", fsync: .never))
        let loop = self.loop
        let upstreams = self.upstreams
        let connector = UpstreamConnector { _, initialize in
            let channel = NIOAsyncTestingChannel(loop: loop)
            do {
                try initialize(channel)
            } catch {
                return loop.makeFailedFuture(error)
            }
            upstreams.list.withLock { $0.append(channel) }
            guard holdingConnects else { return channel.connect(to: try! SocketAddress(ipAddress: "127.0.0.1", port: 9)).map { channel } }
            let opened = loop.makePromise(of: (any Channel).self)
            upstreams.held.withLock { $0.append((channel, opened)) }
            return opened.futureResult
        }
        let configuration = RecorderConfiguration(upstream: "http://127.0.0.1:9", maxRequestBodyBytes: maxRequestBodyBytes)
        let shared = ProxyShared(
            configuration: configuration, upstream: try UpstreamAddress(configuration.upstream), connector: connector,
            recorder: ExchangeRecorder(
                archive: archive, redactor: Redactor(key: try RedactionKey.loadOrCreate(root: root)), statistics: RecorderStatistics(),
                logger: ApplicationServer.quietLogger()),
            sessions: SessionDirectory(), lanes: lanes, descriptors: DescriptorReserve(), logger: ApplicationServer.quietLogger())
        let client = self.client
        try await loop.executeInContext {
            try ProxyConnectionHandler.configure(client.pipeline.syncOperations, shared: shared)
        }
        try await client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
    }

    /// The upstream connection number `index`, once the proxy has opened it.
    func upstream(_ index: Int = 0) async throws -> NIOAsyncTestingChannel {
        try await until { self.upstreams.list.withLock { $0.count > index ? $0[index] : nil } }
    }

    /// A client's `GET /api/updates` answered by the upstream with a stream head and one
    /// `tool_update` event: the upstream channel, and what the client got so far.
    func openStream() async throws -> (upstream: NIOAsyncTestingChannel, relayed: String) {
        try await client.writeInbound(ByteBuffer(string: "GET /api/updates HTTP/1.1\r\nHost: x\r\nX-Session-Id: s\r\n\r\n"))
        let upstream = try await upstream()
        _ = try await waitForText(to: upstream, containing: "\r\n\r\n")
        let event = "data: {\"type\":\"tool_update\"}\n\n"
        try await upstream.writeInbound(
            ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n\(String(event.utf8.count, radix: 16))\r\n\(event)\r\n"))
        return (upstream, try await waitForText(to: client, containing: "tool_update"))
    }

    /// Opens the upstream connections held so far.
    func releaseConnects() async throws {
        for (channel, opened) in upstreams.held.withLock({ held in
            defer { held = [] }
            return held
        }) {
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9))
            opened.succeed(channel)
        }
        await loop.run()
    }

    /// Runs the loop (and lets the recording lane's tasks run) until `produce` has something.
    @discardableResult
    func until<T>(_ produce: () async throws -> T?) async throws -> T {
        while true {
            try Task.checkCancellation()
            await loop.run()
            if let value = try await produce() { return value }
            await Task.yield()
        }
    }

    /// Everything `channel` has been sent so far, as text.
    func sent(to channel: NIOAsyncTestingChannel) async throws -> String {
        await loop.run()
        var text = ""
        while let part = try await channel.readOutbound(as: IOData.self) {
            if case let .byteBuffer(buffer) = part { text += String(buffer: buffer) }
        }
        return text
    }

    /// Waits until `channel` has been sent text containing `marker`, and returns all of it.
    func waitForText(to channel: NIOAsyncTestingChannel, containing marker: String) async throws -> String {
        var text = ""
        return try await until {
            text += try await sent(to: channel)
            return text.contains(marker) ? text : nil
        }
    }

    /// What was archived, once every closed connection's recording lane has run (an open
    /// connection's exchanges are archived before their answers go out).
    func records() async throws -> [WARCRecord] {
        await lanes.waitUntilDrained()
        return try await archive.close().flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// The upstream channels a `ProxyBench`'s connector made, in order.
final class UpstreamChannels: Sendable {
    let list = Mutex<[NIOAsyncTestingChannel]>([])
    /// Connections made but not yet reported open, with the promise that reports them.
    let held = Mutex<[(NIOAsyncTestingChannel, EventLoopPromise<any Channel>)]>([])
}
