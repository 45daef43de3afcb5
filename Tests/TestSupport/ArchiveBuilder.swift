import AomiAPI
import AomiArchive
import Foundation
import HTTPTypes
import Recorder
import WARC

/// An archive declared in a test and written through the recorder's own writer
/// (`WalletArchive`), for tests of what reads archives (the replay, the index, the browser)
/// that do not test recording: sessions of exchanges on a clock the test sets, polls whose
/// repeated answers become revisits as they would live, streams with timed events and their
/// end, and damage. No simulator, no proxy, no sockets.
public actor ArchiveBuilder {
    /// The archive root.
    public nonisolated let root: String
    private let archive: WalletArchive
    private var clock: WARCDate
    private var sequences: [String: Int] = [:]

    /// A builder writing under `root` (a new temporary folder by default), its clock at `start`.
    public init(root: String = TemporaryDirectory.path("aomi-declared"), start: WARCDate = WARCDate(microsecondsSince1970: 1_764_000_000_000_000)) {
        self.root = root
        archive = WalletArchive(settings: WalletArchive.Settings(root: root, recorderID: "declared", fsync: .never))
        clock = start
    }

    /// One exchange of `session` (nil: a request without `X-Session-Id`), arriving `after` the
    /// previous one and answered `took` later: `method target` with `requestBody`, answered
    /// `status` with `body`. Returns the time the request arrived.
    @discardableResult
    public func exchange(
        session: String?, wallet: String? = nil, _ method: String, _ target: String, requestHeaders: [(String, String)] = [], requestBody: [UInt8] = [],
        status: Int = 200, headers: [(String, String)] = [("Content-Type", "application/json")], body: [UInt8], after: Duration = .milliseconds(100),
        took: Duration = .milliseconds(20)
    ) async throws -> WARCDate {
        let arrival = advance(by: after)
        let answered = WARCDate(microsecondsSince1970: arrival.microsecondsSince1970 + Self.microseconds(took))
        let request = CapturedRequest(
            method: method, target: target, headers: Self.fields([("Host", "api.aomi.dev")] + Self.sessionHeader(session) + requestHeaders), body: requestBody, date: arrival)
        let response = CapturedResponse(
            status: status, reason: HTTPResponse.Status(code: status).reasonPhrase, headers: Self.fields(headers), body: body,
            date: answered)
        try await archive.record(HTTPExchange(request: request, response: response), context: context(session: session, wallet: wallet))
        return arrival
    }

    /// A JSON exchange: `value` encoded as the body.
    @discardableResult
    public func json<Value: Encodable>(
        session: String?, wallet: String? = nil, _ method: String, _ target: String, requestBody: [UInt8] = [], status: Int = 200, _ value: Value,
        after: Duration = .milliseconds(100)
    ) async throws -> WARCDate {
        try await exchange(session: session, wallet: wallet, method, target, requestBody: requestBody, status: status, body: JSONCoding.encode(value), after: after)
    }

    /// `GET /api/updates` of `session`: its head, then each event `after` the one before (the
    /// head's arrival for the first), then its end, `endAfter` the last event.
    public func stream(
        session: String, wallet: String? = nil, events: [(after: Duration, bytes: String)], end: StreamEnd, endAfter: Duration = .milliseconds(10),
        after: Duration = .milliseconds(100)
    ) async throws {
        let arrival = advance(by: after)
        let request = CapturedRequest(
            method: "GET", target: AomiPath.updates, headers: Self.fields([("Host", "api.aomi.dev"), ("Accept", "text/event-stream")] + Self.sessionHeader(session)),
            body: [], date: arrival)
        var recording = try await archive.startStream(
            request: request, status: 200, reason: "OK", headers: Self.fields([("Content-Type", "text/event-stream")]), headDate: arrival,
            context: context(session: session, wallet: wallet))
        for event in events {
            try await archive.recordEvent(Array(event.bytes.utf8), arrived: advance(by: event.after), in: &recording)
        }
        try await archive.endStream(recording, end: end, date: advance(by: endAfter))
    }

    /// Closes every file (renamed from `.open`); returns their paths.
    @discardableResult
    public func close() async throws -> [String] {
        try await archive.close()
    }

    /// What the archive reads back as: every session, as the replay loads it.
    public func load() throws -> RecordedArchive {
        try RecordedArchive.load(files: RecordedArchive.archiveFiles(under: root))
    }

    /// Removes the root.
    public nonisolated func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Damage: `bytes` appended to `file` (a torn record, garbage after the last one).
    public static func append(_ bytes: [UInt8], to file: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
    }

    private func advance(by duration: Duration) -> WARCDate {
        clock = WARCDate(microsecondsSince1970: clock.microsecondsSince1970 + Self.microseconds(duration))
        return clock
    }

    private func context(session: String?, wallet: String?) -> ExchangeContext {
        let sequence = session.map { session in
            sequences[session, default: 0] += 1
            return sequences[session]!
        }
        return ExchangeContext(sessionID: session, wallet: wallet.flatMap(WalletAddress.init), sequence: sequence, origin: "https://api.aomi.dev")
    }

    private static func sessionHeader(_ session: String?) -> [(String, String)] {
        session.map { [(AomiHeader.sessionID, $0)] } ?? []
    }

    private static func fields(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }

    private static func microseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }
}
