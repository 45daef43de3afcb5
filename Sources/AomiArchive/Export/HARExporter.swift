import AomiAPI
import Foundation
import WARC

/// Recorded sessions as a HAR 1.2 file that browsers' developer tools import: one page per
/// session, one entry per exchange with the recorded timings; SSE bodies are their events as text.
public struct HARExporter: Sendable {
    public let sessions: [RecordedSession]

    public init(sessions: [RecordedSession]) {
        self.sessions = sessions
    }

    public func document() -> [UInt8] {
        let pages = sessions.map { session in
            HARDocument.Page(startedDateTime: Self.time(session.firstSeen), id: session.id, title: "Aomi session \(session.id)" + (session.wallet.map { " (\($0))" } ?? ""))
        }
        let entries = sessions.flatMap { session in session.exchanges.map { Self.entry($0) } }
            .sorted { $0.startedDateTime < $1.startedDateTime }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(HARDocument(log: .init(pages: pages, entries: entries)))) ?? Data())
    }

    public func write(to path: String) throws(ArchiveFileError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(document())) else {
            throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }

    private static func entry(_ exchange: RecordedExchange) -> HARDocument.Entry {
        let request = exchange.request
        let head = exchange.answer.head
        var body = head.body
        var receive = 0.0
        if case let .stream(stream) = exchange.answer {
            body = stream.events.flatMap(\.bytes)
            receive = stream.events.last.map { milliseconds(from: head.date, to: $0.date) } ?? 0
        }
        let wait = milliseconds(from: request.date, to: head.date)
        let requestType = request.fields.first { $0.name.lowercased() == "content-type" }?.value ?? "application/octet-stream"
        return HARDocument.Entry(
            pageref: exchange.session, startedDateTime: time(request.date), time: wait + receive,
            request: .init(
                method: request.method, url: request.uri, headers: request.fields.map { .init(name: $0.name, value: $0.value) },
                queryString: QueryString.parameters(of: request.target).map { .init(name: $0.name, value: $0.value) },
                postData: request.body.isEmpty ? nil : .init(mimeType: requestType, text: String(decoding: request.body, as: UTF8.self)),
                bodySize: request.body.count),
            response: .init(
                status: head.status, statusText: head.reason, headers: head.fields.map { .init(name: $0.name, value: $0.value) },
                content: .init(
                    size: body.count, mimeType: head.fields.first { $0.name.lowercased() == "content-type" }?.value ?? "",
                    text: String(decoding: body, as: UTF8.self)),
                bodySize: body.count),
            timings: .init(wait: wait, receive: receive), _aomiSession: exchange.session, _aomiSequence: exchange.sequence)
    }

    private static func milliseconds(from start: WARCDate, to end: WARCDate) -> Double {
        Double(max(0, end.microsecondsSince1970 - start.microsecondsSince1970)) / 1000
    }

    /// ISO 8601 with milliseconds, as HAR readers expect.
    private static func time(_ date: WARCDate) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date.date)
    }
}
