import AomiAPI
import AsyncHTTPClient
import Foundation
import TestSupport
import Testing
import WARC

/// The web widget's traffic from a page on another origin, in headless Chromium
/// (tools/browser/cors_client.py): straight to `sim`, through `record`, and against `replay`
/// of that recording. Every call must succeed with no CORS error in the console, and the three
/// runs must read the same events and end with the same messages. A thread created and listed at
/// once is in the list under the page's own id, against the replay too.
@Suite(.tags(.browser), .needs(.chromium)) struct BrowserCORSTests {

    func browse(_ targets: [String: String]) async throws -> [String: [String: Any]] {
        let script = Repository.root + "/tools/browser/cors_client.py"
        let run = try await Warcio.runPython([script] + targets.map { "\($0.key)=\($0.value)" }.sorted())
        try #require(run.status == 0, "\(run.output)")
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(run.output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: [String: Any]])
    }

    func checkSucceeded(_ name: String, _ report: [String: Any]?) throws {
        let report = try #require(report, "no report for \(name)")
        #expect((report["errors"] as? [String])?.isEmpty == true, "\(name): \(report["errors"] ?? "")")
        #expect((report["console_errors"] as? [String])?.isEmpty == true, "\(name): \(report["console_errors"] ?? "")")
        let calls = report["calls"] as? [String] ?? []
        #expect(calls.count > 5 && calls.allSatisfy { $0.hasSuffix(" 200") }, "\(name): \(calls)")
        let events = report["events"] as? [String] ?? []
        #expect(events.contains("tool_complete") && events.contains("title_changed"), "\(name): \(events)")
        #expect((report["messages"] as? [String])?.count == 2, "\(name)")
        #expect(report["listed"] as? [Bool] == [true, true], "\(name): createThread then listThreads at once lists the new thread under the page's id")
    }

    @Test(.timeLimit(.minutes(10)))
    func aPageOnAnotherOriginTalksToSimRecordAndReplay() async throws {
        let root = TemporaryDirectory.path("aomi-cors")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sim = try BackgroundCommand([
            "sim", "--listen", "127.0.0.1:0", "--pace", "polls:2", "--think", "30ms", "--chunk-interval", "15ms", "--title-delay", "40ms",
            "--ping-interval", "200ms",
        ])
        defer { sim.signal(SIGTERM) }
        let simURL = try await sim.waitForURL()
        let recorder = try BackgroundCommand(["record", "--upstream", simURL, "--listen", "127.0.0.1:0", "--archives", root])
        let live = try await browse(["direct": simURL, "recorded": try await recorder.waitForURL()])
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0)

        let replay = try BackgroundCommand(["replay", "--archives", root, "--listen", "127.0.0.1:0"])
        let replayURL = try await replay.waitForURL()
        let replayed = try await browse(["replayed": replayURL])
        let status = try await HTTPClient.shared.execute(HTTPClientRequest(url: replayURL + "/_replay/status"), timeout: .seconds(60))
        let counters = try JSONCoding.decode(JSONValue.self, from: try await status.body.collect(upTo: 1 << 20).readableBytesView)
        replay.signal(SIGTERM)
        #expect(await replay.wait() == 0)

        try checkSucceeded("direct", live["direct"])
        try checkSucceeded("recorded", live["recorded"])
        try checkSucceeded("replayed", replayed["replayed"])
        #expect(counters["misses"] == .number(0), "\(replay.standardError)")
        for field in ["messages", "events"] {
            #expect(live["direct"]?[field] as? [String] == live["recorded"]?[field] as? [String], "\(field): direct and through the recorder")
            #expect(replayed["replayed"]?[field] as? [String] == live["recorded"]?[field] as? [String], "\(field): the replay and its recording")
        }
        #expect(replayed["replayed"]?["calls"] as? [String] == live["recorded"]?["calls"] as? [String])

        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".warc.gz") }.map { root + "/" + $0 }
        let preflights = try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
            .filter { $0.type == .request && String(decoding: $0.block.prefix(8), as: UTF8.self).hasPrefix("OPTIONS ") }
        #expect(!preflights.isEmpty, "the browser's preflights are recorded like any exchange")
    }
}
