import AomiArchive
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import Replayer

/// The replay's channel handler on an `EmbeddedChannel`: bytes in, bytes out, and a clock the
/// test moves, no socket and no waiting.
@Suite struct ReplayConnectionHandlerTests {
    private static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    private func channel(_ engine: ReplayEngine) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        try channel.pipeline.syncOperations.addHandler(ReplayConnectionHandler(shared: ReplayShared(engine: engine, fallback: nil, logger: Self.quiet)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    /// Everything written to the client so far, as text.
    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let part = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: part) }
        return text
    }

    /// The status line of every response in `text` (a body may run straight into the next one).
    private func statusLines(_ text: String) -> [String] {
        text.matches(of: /HTTP\/1\.1 [0-9]{3} [^\r]*/).map { String($0.output) }
    }

    @Test func pipelinedRequestsAreAnsweredInTheirOrder() throws {
        let engine = ReplayEngine(archive: RecordedArchive(sessions: []), logger: Self.quiet)
        let channel = try channel(engine)
        let requests =
            "GET /_replay/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + "GET /api/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            + "POST /_replay/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n"
            + "GET /_replay/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        try channel.writeInbound(ByteBuffer(string: requests))
        let text = try written(channel)
        #expect(statusLines(text) == ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 415 Unsupported Media Type", "HTTP/1.1 200 OK"], "\(text)")
        _ = try channel.finish()
    }

    @Test func aClientGoneMidBodyGetsNothingAndCountsNothing() throws {
        let engine = ReplayEngine(archive: RecordedArchive(sessions: []), logger: Self.quiet)
        let channel = try channel(engine)
        try channel.writeInbound(ByteBuffer(string: "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc"))
        #expect(try written(channel).isEmpty)
        try channel.close().wait()
        let after = try written(channel)
        #expect(after.isEmpty, "\(after)")
        #expect(engine.status()["misses"] == .number(0))
    }

    /// With the recorded clock an answer waits its recorded delay: on the embedded loop it comes
    /// exactly when the test moves the clock past it.
    @Test(.timeLimit(.minutes(10)))
    func theRecordedClockHoldsAnAnswerUntilTheTestMovesTime() async throws {
        let recording = try await RecordedReplay.declared()
        defer { recording.remove() }
        let session = try #require(recording.archive.sessions.first { !$0.id.isEmpty })
        let exchange = try #require(
            session.exchanges.first { exchange in
                guard !exchange.isUpdates else { return false }
                return exchange.answer.head.date.microsecondsSince1970 - exchange.request.date.microsecondsSince1970 > 0
            })
        let delay = exchange.answer.head.date.microsecondsSince1970 - exchange.request.date.microsecondsSince1970
        let engine = ReplayEngine(archive: recording.archive, configuration: ReplayConfiguration(clock: .recorded, checkKeys: false), logger: Self.quiet)
        let channel = try channel(engine)
        var head = "\(exchange.request.method) \(exchange.request.target) HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Session-Id: \(session.id)\r\n"
        for field in exchange.request.fields where !["x-session-id", "content-length", "transfer-encoding", "connection", "host"].contains(field.name.lowercased()) {
            head += "\(field.name): \(field.value)\r\n"
        }
        try channel.writeInbound(ByteBuffer(string: head + "Content-Length: \(exchange.request.body.count)\r\n\r\n"))
        if !exchange.request.body.isEmpty { try channel.writeInbound(ByteBuffer(bytes: exchange.request.body)) }
        #expect(try written(channel).isEmpty, "nothing before the recorded delay")
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(channel.isActive, "a stop lets the answer in flight come")
        channel.embeddedEventLoop.advanceTime(by: .microseconds(delay - 1))
        #expect(try written(channel).isEmpty, "nothing a microsecond before it")
        channel.embeddedEventLoop.advanceTime(by: .microseconds(1))
        let answer = try written(channel)
        #expect(answer.hasPrefix("HTTP/1.1 \(exchange.answer.head.status) "), "\(answer.prefix(200))")
        #expect(answer.contains("X-Aomi-Replay: hit"))
        #expect(!channel.isActive, "and then closes the connection")
    }

    @Test func aStopClosesAnIdleConnectionAtOnce() throws {
        let channel = try channel(ReplayEngine(archive: RecordedArchive(sessions: []), logger: Self.quiet))
        try channel.writeInbound(ByteBuffer(string: "GET /_replay/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        #expect(statusLines(try written(channel)) == ["HTTP/1.1 200 OK"])
        #expect(channel.isActive)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!channel.isActive)
    }
}
