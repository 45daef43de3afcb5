import AomiArchive
import Foundation
import HTTPTypes
import Recorder
import Replayer
import TestSupport
import Testing
import WARC

/// The order in which the replay puts a session's exchanges: by the recorder's numbering,
/// and by request date when several recorders on one root numbered the same session.
@Suite struct SessionOrderTests {
    private func exchange(probe: Int, at micros: Int64) -> HTTPExchange {
        let date = WARCDate(microsecondsSince1970: micros)
        return HTTPExchange(
            request: CapturedRequest(method: "GET", target: "/api/state?probe=\(probe)", headers: HTTPFields(), body: [], date: date),
            response: CapturedResponse(status: 200, reason: "OK", headers: HTTPFields(), body: Array("{\"probe\":\(probe)}".utf8), date: date))
    }

    private func context(_ session: String, _ sequence: Int) -> ExchangeContext {
        ExchangeContext(sessionID: session, wallet: nil, sequence: sequence, origin: "http://127.0.0.1:9")
    }

    private func probes(of session: String, in archive: RecordedArchive) throws -> [String] {
        let recorded = try #require(archive.sessions.first { $0.id == session })
        return recorded.exchanges.map { String($0.request.target.split(separator: "=").last ?? "") }
    }

    @Test func aSessionNumberedByTwoRecordersIsOrderedByDateAndOneNumberedByOneByItsNumbers() async throws {
        let root = TemporaryDirectory.path("aomi-order")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = WalletArchive(settings: .init(root: root, recorderID: "first"))
        let second = WalletArchive(settings: .init(root: root, recorderID: "second"))
        let start: Int64 = 1_800_000_000_000_000
        try await first.record(exchange(probe: 1, at: start + 1_000), context: context("split", 1))
        try await first.record(exchange(probe: 2, at: start + 2_000), context: context("split", 2))
        try await second.record(exchange(probe: 3, at: start + 3_000), context: context("split", 1))
        // One recorder whose clock stepped back between two requests: its numbers decide.
        try await first.record(exchange(probe: 4, at: start + 9_000), context: context("stepped", 1))
        try await first.record(exchange(probe: 5, at: start + 8_000), context: context("stepped", 2))
        _ = try await first.close()
        _ = try await second.close()

        let archive = try RecordedArchive.load(files: try RecordedArchive.archiveFiles(under: root))
        #expect(try probes(of: "split", in: archive) == ["1", "2", "3"])
        #expect(try probes(of: "stepped", in: archive) == ["4", "5"])
    }
}
