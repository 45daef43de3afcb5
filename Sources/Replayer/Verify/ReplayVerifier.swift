import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import WARC

/// Re-issues every recorded client request of the selected sessions, in recorded order,
/// against a replay of them on a free loopback port, and compares what comes back with what
/// was recorded: status, the recorded header fields, body bytes and their recorded payload
/// digest, and every SSE event in order. Passing is the definition of "deterministic".
public struct ReplayVerifier: Sendable {
    public let archive: ReplayArchive
    /// The longest wait for a session's events after its last request. The wait ends as soon
    /// as every recorded event has come (or every stream has ended), so this only bounds a
    /// replay that holds events back; a busy machine never turns a good archive into a failure.
    public var eventWait: Duration

    public init(archive: ReplayArchive, eventWait: Duration = .seconds(60)) {
        self.archive = archive
        self.eventWait = eventWait
    }

    public func run() async throws(ReplayerError) -> VerifyReport {
        var quiet = Logger(label: "aomi-archive.verify")
        quiet.logLevel = .error
        let engine = ReplayEngine(archive: archive, configuration: ReplayConfiguration(checkKeys: false), logger: quiet)
        let server = try await ReplayServer(engine: engine, logger: quiet).start()
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var report = VerifyReport()
        for session in archive.sessions {
            await verify(session, base: server.baseURL, client: client, into: &report)
        }
        try? await client.shutdown()
        await server.stop()
        return report
    }

    private func verify(_ session: RecordedSession, base: String, client: HTTPClient, into report: inout VerifyReport) async {
        report.sessions += 1
        var streams: [(exchange: RecordedExchange, stream: RecordedStream, reader: StreamReader)] = []
        for exchange in session.exchanges {
            report.requests += 1
            if case let .stream(recorded) = exchange.answer {
                if let previous = streams.last { await previous.reader.close(waitingForServer: previous.stream.endedByServer, patience: eventWait) }
                let reader = StreamReader()
                await reader.open(request(exchange, base: base), client: client)
                if let head = await reader.head {
                    report.differences += compare(exchange, status: head.status, fields: head.fields, body: nil)
                } else {
                    report.differences.append("\(label(exchange)): no answer: \(await reader.failure ?? "connection closed")")
                }
                streams.append((exchange, recorded, reader))
                continue
            }
            do {
                let response = try await client.execute(request(exchange, base: base), timeout: .seconds(120))
                let body = Array(try await response.body.collect(upTo: 256 << 20).readableBytesView)
                report.differences += compare(exchange, status: Int(response.status.code), fields: response.headers.map { ($0.name, $0.value) }, body: body)
            } catch {
                report.differences.append("\(label(exchange)): no answer: \(error)")
            }
        }
        let expected = streams.flatMap { $0.stream.events.flatMap(\.bytes) }
        report.events += streams.reduce(0) { $0 + $1.stream.events.count }
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + eventWait
        repeat {
            received = []
            var allEnded = true
            for stream in streams {
                received += await stream.reader.bytes
                if await !stream.reader.isFinished { allEnded = false }
            }
            if received.count >= expected.count || allEnded { break }
            try? await Task.sleep(for: .milliseconds(10))
        } while ContinuousClock.now < deadline
        for stream in streams { await stream.reader.close(waitingForServer: false, patience: .zero) }
        if received != expected, let first = streams.first {
            let at = Self.firstDifference(received, expected)
            report.differences.append("\(label(first.exchange)) and its reconnects: events differ from byte \(at) "
                + "(recorded \(expected.count) bytes in \(streams.reduce(0) { $0 + $1.stream.events.count }) events, replayed \(received.count) bytes)")
        }
    }

    private func request(_ exchange: RecordedExchange, base: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + exchange.request.target)
        request.method = HTTPMethod(rawValue: exchange.request.method)
        for field in exchange.request.fields where !HTTPResponseBytes.notReplayed.contains(field.name.lowercased()) && field.name.lowercased() != "host" {
            request.headers.add(name: field.name, value: field.value)
        }
        if !exchange.request.body.isEmpty { request.body = .bytes(exchange.request.body) }
        return request
    }

    private func label(_ exchange: RecordedExchange) -> String {
        "session \(exchange.session.isEmpty ? "(none)" : exchange.session) #\(exchange.sequence) \(exchange.request.method) \(exchange.request.target)"
    }

    /// Differences in status, recorded header fields, body bytes and the recorded payload digest.
    private func compare(_ exchange: RecordedExchange, status: Int, fields: [(String, String)], body: [UInt8]?) -> [String] {
        let recorded = exchange.answer.head
        var differences: [String] = []
        if status != recorded.status { differences.append("\(label(exchange)): status recorded \(recorded.status), replayed \(status)") }
        for field in recorded.fields where !HTTPResponseBytes.notReplayed.contains(field.name.lowercased()) {
            let replayed = fields.filter { $0.0.lowercased() == field.name.lowercased() }.map(\.1)
            if !replayed.contains(field.value) {
                differences.append("\(label(exchange)): header \(field.name) recorded \"\(field.value)\", replayed \(replayed.isEmpty ? "none" : "\"\(replayed.joined(separator: ", "))\"")")
            }
        }
        guard let body else { return differences }
        if body != recorded.body {
            let at = Self.firstDifference(body, recorded.body)
            differences.append("\(label(exchange)): body differs from byte \(at) (recorded \(recorded.body.count) bytes, replayed \(body.count))")
        }
        if let digest = recorded.payloadDigest, digest.hasPrefix("sha1:"), WARCDigest.sha1(body) != digest {
            differences.append("\(label(exchange)): body is not what the client received when recorded "
                + "(\(recorded.location): WARC-Payload-Digest \(digest), replayed body \(WARCDigest.sha1(body)))")
        }
        return differences
    }

    private static func firstDifference(_ left: [UInt8], _ right: [UInt8]) -> Int {
        zip(left.indices, zip(left, right)).first { $0.1.0 != $0.1.1 }?.0 ?? min(left.count, right.count)
    }
}
