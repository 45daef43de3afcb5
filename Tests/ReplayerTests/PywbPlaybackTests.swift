import AomiArchive
import AsyncHTTPClient
import Foundation
import Replayer
import TestSupport
import Testing
import WARC

/// pywb, the reference WARC replay (PyPI, installed by tools/setup.sh in a venv of its own),
/// serves an archive recorded, compacted and exported with `--playable`: a JSON exchange, a
/// revisit and an SSE stream come back with the bodies the client received.
@Suite(.tags(.pywb), .needs(.pywb)) struct PywbPlaybackTests {
    private func get(_ url: String, session: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "X-Session-Id", value: session)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        try #require(response.status.code == 200)
        return Array(try await response.body.collect(upTo: 4 << 20).readableBytesView)
    }

    /// `yyyyMMddHHmmss` of a `WARC-Date`: how pywb names a capture.
    private func timestamp(_ date: String) -> String {
        String(date.filter(\.isNumber).prefix(14))
    }

    @Test(.timeLimit(.minutes(15)))
    func pywbServesACompactedArchiveExportedPlayable() async throws {
        let fixture = try await RecordingFixture.start(recorderID: "pywb")
        defer { fixture.remove() }
        let report = try await fixture.drive(wallets: 1, threads: 1, messages: 2)
        let session = try #require(report.threads.first?.sessionID)
        // Two polls of one URL more than a second apart, revisits of the snapshot the driver saw
        // last: pywb names captures by the second, so it can only be asked for the later one.
        let first = try await get(fixture.server.baseURL + "/api/state", session: session)
        try await Task.sleep(for: .milliseconds(1100))
        let second = try await get(fixture.server.baseURL + "/api/state", session: session)
        #expect(first == second)
        try await fixture.stop()
        _ = try ArchiveCompactor().compactAll(under: fixture.root).map { try $0.get() }

        let files = try RecordedArchive.archiveFiles(under: fixture.root)
        let recorded = try RecordedArchive.load(files: files)
        let stream = try #require(
            recorded.sessions.flatMap(\.exchanges).compactMap { exchange -> RecordedStream? in
                if case let .stream(stream) = exchange.answer { return stream }
                return nil
            }.first)
        #expect(stream.events.count >= 3)
        let output = fixture.root + "/playable.warc.gz"
        _ = try await WARCExporter(files: files, sessions: [session], playable: true).write(to: output)
        #expect(try await Warcio.run(["check", output]).status == 0)

        let records = try WARCFileReader.readAll(path: output).records.map(\.record)
        let captures = records.filter { $0.type == .response || $0.type == .revisit }
        let names = Dictionary(grouping: captures) { "\($0.targetURI ?? "") \(timestamp($0.date ?? ""))" }
        let getRequests = Set(records.filter { $0.type == .request && $0.block.starts(with: Array("GET ".utf8)) }.compactMap(\.recordID))
        // A JSON response that is the only capture of its URL in its second, so pywb must pick it.
        let json = try #require(
            captures.first {
                $0.type == .response && getRequests.contains($0.headers[WARCField.concurrentTo] ?? "")
                    && names["\($0.targetURI ?? "") \(timestamp($0.date ?? ""))"]?.count == 1
                    && String(decoding: $0.block.prefix(400), as: UTF8.self).lowercased().contains("content-type: application/json")
            })
        let revisit = try #require(captures.last { $0.type == .revisit && $0.targetURI?.hasSuffix("/api/state") == true })
        let whole = try #require(records.first { $0.type == .response && $0.targetURI?.hasSuffix("/api/updates") == true })
        let jsonBody = try #require(recorded.sessions.flatMap(\.exchanges).first { $0.request.uri == json.targetURI }?.answer.head.body)
        let expectations: [[String: String]] = [
            ["name": "json", "url": try #require(json.targetURI), "timestamp": timestamp(try #require(json.date)), "body_base64": Data(jsonBody).base64EncodedString()],
            ["name": "revisit", "url": try #require(revisit.targetURI), "timestamp": timestamp(try #require(revisit.date)), "body_base64": Data(second).base64EncodedString()],
            [
                "name": "sse", "url": try #require(whole.targetURI), "timestamp": timestamp(try #require(whole.date)),
                "body_base64": Data(stream.events.flatMap(\.bytes)).base64EncodedString(),
            ],
        ]
        let expectationsFile = fixture.root + "/expectations.json"
        try JSONSerialization.data(withJSONObject: expectations).write(to: URL(fileURLWithPath: expectationsFile))

        let played = try await Pywb.play(output, expectationsFile)
        #expect(played.status == 0, "\(played.standardOutput)")
        let lines = played.standardOutput.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.map { $0["name"] as? String } == ["json", "revisit", "sse"], "\(played.standardOutput)")
        #expect(lines.allSatisfy { $0["equal"] as? Bool == true }, "\(played.standardOutput)")
    }
}
