import AomiArchive
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
    public let archive: RecordedArchive
    /// The longest wait for a session's events after its last request. The wait ends as soon
    /// as every recorded event has come (or every stream has ended), so this only bounds a
    /// replay that holds events back; a busy machine never turns a good archive into a failure.
    public var eventWait: Duration

    /// Re-issue every request with new session ids, new `client_id`s and new transaction hashes
    /// and signatures, as a real re-run of a client does, and expect the recorded answers with
    /// the recorded ids replaced by the new ones.
    public var freshIdentifiers: Bool

    public init(archive: RecordedArchive, eventWait: Duration = .seconds(60), freshIdentifiers: Bool = false) {
        self.archive = archive
        self.eventWait = eventWait
        self.freshIdentifiers = freshIdentifiers
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
        let fresh = freshIdentifiers ? FreshIdentifiers(archive: archive) : nil
        // With fresh ids, the requests without a session (thread lists) come last, once every
        // session has been aliased, so that their answers name the new ids.
        let sessions = fresh == nil ? archive.sessions : archive.sessions.filter { !$0.id.isEmpty } + archive.sessions.filter(\.id.isEmpty)
        for session in sessions {
            await verify(session, base: server.baseURL, client: client, fresh: fresh, into: &report)
        }
        try? await client.shutdown()
        await server.stop()
        return report
    }

    private func verify(_ session: RecordedSession, base: String, client: HTTPClient, fresh: FreshIdentifiers?, into report: inout VerifyReport) async {
        report.sessions += 1
        var streams: [(exchange: RecordedExchange, stream: RecordedStream, reader: StreamReader)] = []
        for exchange in session.exchanges {
            report.requests += 1
            if case let .stream(recorded) = exchange.answer {
                if let previous = streams.last { await previous.reader.close(waitingForServer: previous.stream.endedByServer, patience: eventWait) }
                let reader = StreamReader()
                await reader.open(request(exchange, base: base, fresh: fresh), client: client)
                if let head = await reader.head {
                    report.differences += compare(exchange, status: head.status, fields: head.fields, body: nil, fresh: fresh)
                } else {
                    report.differences.append("\(label(exchange)): no answer: \(await reader.failure ?? "connection closed")")
                }
                streams.append((exchange, recorded, reader))
                continue
            }
            do {
                let response = try await client.execute(request(exchange, base: base, fresh: fresh), timeout: .seconds(120))
                let body = Array(try await response.body.collect(upTo: 256 << 20).readableBytesView)
                report.differences += compare(
                    exchange, status: Int(response.status.code), fields: response.headers.map { ($0.name, $0.value) }, body: body,
                    fresh: fresh)
            } catch {
                report.differences.append("\(label(exchange)): no answer: \(error)")
            }
        }
        let recordedEvents = streams.flatMap { $0.stream.events.flatMap(\.bytes) }
        let expected = fresh.map { $0.rewrite.apply(recordedEvents) } ?? recordedEvents
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
            report.differences.append(
                "\(label(first.exchange)) and its reconnects: events differ from byte \(at) "
                    + "(recorded \(expected.count) bytes in \(streams.reduce(0) { $0 + $1.stream.events.count }) events, replayed \(received.count) bytes)")
        }
    }

    private func request(_ exchange: RecordedExchange, base: String, fresh: FreshIdentifiers?) -> HTTPClientRequest {
        let renew = { (text: String) in fresh.map { String(decoding: $0.rewrite.apply(Array(text.utf8)), as: UTF8.self) } ?? text }
        var request = HTTPClientRequest(url: base + renew(exchange.request.target))
        request.method = HTTPMethod(rawValue: exchange.request.method)
        for field in exchange.request.fields where !HopByHop.fieldsAndLength.contains(field.name.lowercased()) && field.name.lowercased() != "host" {
            request.headers.add(name: field.name, value: renew(field.value))
        }
        if !exchange.request.body.isEmpty { request.body = .bytes(fresh.map { $0.rewrite.apply(exchange.request.body) } ?? exchange.request.body) }
        return request
    }

    private func label(_ exchange: RecordedExchange) -> String {
        "session \(exchange.session.isEmpty ? "(none)" : exchange.session) #\(exchange.sequence) \(exchange.request.method) \(exchange.request.target)"
    }

    /// Differences in status, recorded header fields, body bytes (with fresh ids, the recorded
    /// body with the new ids in place of the recorded ones) and the recorded payload digest.
    private func compare(_ exchange: RecordedExchange, status: Int, fields: [(String, String)], body: [UInt8]?, fresh: FreshIdentifiers?) -> [String] {
        let recorded = exchange.answer.head
        var differences: [String] = []
        if status != recorded.status { differences.append("\(label(exchange)): status recorded \(recorded.status), replayed \(status)") }
        for field in recorded.fields where !HopByHop.fieldsAndLength.contains(field.name.lowercased()) {
            let replayed = fields.filter { $0.0.lowercased() == field.name.lowercased() }.map(\.1)
            if !replayed.contains(field.value) {
                differences.append(
                    "\(label(exchange)): header \(field.name) recorded \"\(field.value)\", replayed \(replayed.isEmpty ? "none" : "\"\(replayed.joined(separator: ", "))\"")")
            }
        }
        guard let body else { return differences }
        let expected = fresh.map { $0.rewrite.apply(recorded.body) } ?? recorded.body
        if body != expected {
            let at = Self.firstDifference(body, expected)
            differences.append("\(label(exchange)): body differs from byte \(at) (recorded \(expected.count) bytes, replayed \(body.count))")
        }
        // The digest is of what the client received when recorded, so it checks the recorded
        // body as served (with fresh ids, before the new ids went in).
        let served = fresh == nil ? body : recorded.body
        if let digest = recorded.payloadDigest, digest.hasPrefix("sha1:"), WARCDigest.sha1(served) != digest {
            differences.append(
                "\(label(exchange)): body is not what the client received when recorded "
                    + "(\(recorded.location): WARC-Payload-Digest \(digest), replayed body \(WARCDigest.sha1(served)))")
        }
        return differences
    }

    private static func firstDifference(_ left: [UInt8], _ right: [UInt8]) -> Int {
        zip(left.indices, zip(left, right)).first { $0.1.0 != $0.1.1 }?.0 ?? min(left.count, right.count)
    }
}
