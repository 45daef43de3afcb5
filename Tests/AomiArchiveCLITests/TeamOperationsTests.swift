import AomiArchive
import ArchiveIndex
import Foundation
import TestSupport
import Testing
import WARC

/// Running aomi-archive for a team: `/metrics` read by Prometheus's own parser, JSON log lines,
/// `forget`, `prune` and `du`, on roots the built binary recorded from the simulator.
@Suite(.tags(.slow)) struct TeamOperationsTests {
    /// Drives `wallets` × 2 threads through a recorder into `root`, and stops it.
    private func record(into root: String, upstream: String, wallets: Int = 2, seed: Int = 1) async throws {
        let recorder = try BackgroundCommand(["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root])
        let url = try await recorder.waitForURL()
        _ = try await CommandRunner.succeeded([
            "sim", "drive", "--target", url, "--wallets", String(wallets), "--threads", "2", "--messages", "2", "--poll", "10ms", "--seed", String(seed),
        ])
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0, "\(recorder.standardError)")
    }

    private struct Scrape: Decodable {
        var content_type: String
        var families: [String: String]
        var samples: [Sample]

        struct Sample: Decodable {
            var name: String
            var labels: [String: String]
            var value: Double

            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                name = try container.decode(String.self)
                labels = try container.decode([String: String].self)
                value = try container.decode(Double.self)
            }
        }

        func sum(_ name: String, where matches: ([String: String]) -> Bool = { _ in true }) -> Double {
            samples.filter { $0.name == name && matches($0.labels) }.reduce(0) { $0 + $1.value }
        }
    }

    /// `/metrics` at `url`, through prometheus_client's parser.
    private func scrape(_ url: String, token: String? = nil) async throws -> Scrape {
        let output = try await ChildProcess.run("/usr/bin/env", ["python3", Repository.root + "/tools/metrics/scrape.py", url + "/metrics"] + (token.map { [$0] } ?? []))
        try #require(output.status == 0, "scrape: \(output.standardError)")
        return try JSONDecoder().decode(Scrape.self, from: Data(output.standardOutput.utf8))
    }

    private static let routes: Set<String> = [
        "/api/sessions", "/api/sessions/{id}", "/api/chat", "/api/state", "/api/updates", "/api/system", "/api/events", "/api/secrets", "/api/secrets/{name}",
        "/api/control/model", "/api/control/models", "/api/control/apps", "/api/interrupt", "other",
    ]

    @Test(.timeLimit(.minutes(10)))
    func everyServerAnswersMetricsThatPrometheusReadsAndLogsJSONLines() async throws {
        let root = TemporaryDirectory.path("aomi-metrics")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        let recorder = try BackgroundCommand(["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--log-format", "json"])
        let url = try await recorder.waitForURL()
        _ = try await CommandRunner.succeeded(["sim", "drive", "--target", url, "--wallets", "1", "--threads", "2", "--messages", "2", "--poll", "10ms"])
        let recorded = try await scrape(url)
        #expect(recorded.content_type.hasPrefix("text/plain; version=0.0.4"))
        #expect(recorded.families["aomi_archive_record_exchanges"] == "counter")
        #expect(recorded.families["aomi_archive_record_upstream_seconds"] == "histogram")
        #expect(recorded.families["aomi_archive_record_upstream_first_byte_seconds"] == "histogram")
        #expect(recorded.families["aomi_archive_files_open"] == "gauge")
        #expect(recorded.families["aomi_archive_record_sse_streams_open"] == "gauge")
        #expect(recorded.sum("aomi_archive_record_sse_events_total") >= 1)
        #expect(recorded.sum("aomi_archive_written_bytes_total") { $0["kind"] == "live" } > 0)
        #expect(recorded.sum("aomi_archive_files_open") >= 1)
        let exchangeRoutes = Set(recorded.samples.filter { $0.name == "aomi_archive_record_exchanges_total" }.compactMap { $0.labels["route"] })
        #expect(exchangeRoutes.isSubset(of: Self.routes), "routes are templates, never ids: \(exchangeRoutes.subtracting(Self.routes))")
        #expect(exchangeRoutes.contains("/api/state"))
        let polls = recorded.sum("aomi_archive_record_exchanges_total") { $0["route"] == "/api/state" && $0["method"] == "GET" }
        #expect(recorded.sum("aomi_archive_record_upstream_seconds_count") { $0["route"] == "/api/state" } == polls)
        // Neither /metrics nor health is forwarded or recorded.
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0, "\(recorder.standardError)")
        _ = try await CommandRunner.succeeded(["index", "--archives", root])
        let indexedPolls = try await count(root, "SELECT count(*) FROM exchanges WHERE method = 'GET' AND uri LIKE '%/api/state%'")
        #expect(Double(indexedPolls) == polls, "every poll the recorder counted is in the archive, and nothing else")
        #expect(try await count(root, "SELECT count(*) FROM exchanges WHERE uri LIKE '%/metrics%' OR uri LIKE '%/_recorder/%'") == 0)

        // --log-format json: every line one JSON object with the text line's fields.
        let lines = recorder.standardError.split(separator: "\n")
        #expect(lines.count > 5)
        for line in lines {
            let object = try #require(try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            for key in ["time", "level", "label", "message", "source"] { #expect(object[key] is String, "\(key) in \(line)") }
        }
        #expect(lines.contains { $0.contains("\"session\":") && $0.contains("\"wallet\":\"0x") })

        // The replay counts hits and misses.
        let replay = try BackgroundCommand(["replay", "--archives", root, "--listen", "127.0.0.1:0"])
        defer { replay.signal(SIGTERM) }
        let replayURL = try await replay.waitForURL()
        _ = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", replayURL + "/api/nothing-recorded-here"])
        let replayedOnce = try await scrape(replayURL)
        #expect(replayedOnce.sum("aomi_archive_replay_answers_total") { $0["outcome"] == "miss" } == 1)
        #expect(replayedOnce.sum("aomi_archive_replay_exchanges_total") { $0["route"] == "other" && $0["status"] == "404" } == 1)
        _ = try await CommandRunner.succeeded(["sim", "drive", "--target", replayURL, "--wallets", "1", "--threads", "2", "--messages", "2", "--poll", "10ms"])
        let replayed = try await scrape(replayURL)
        #expect(replayed.sum("aomi_archive_replay_answers_total") { $0["outcome"] == "hit" } > 10)
        #expect(replayed.sum("aomi_archive_replay_aliases_total") >= 2, "each fresh session of the drive is bound to a recorded one")

        // serve: behind its token, with the index's figures.
        let token = "a-token-of-twenty-characters"
        let serve = try BackgroundCommand(["serve", "--archives", root, "--listen", "127.0.0.1:0", "--token", token])
        defer { serve.signal(SIGTERM) }
        let serveURL = try await serve.waitForURL()
        let refused = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", serveURL + "/metrics"])
        #expect(refused.standardOutput == "401")
        _ = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", "-H", "Authorization: Bearer \(token)", serveURL + "/"])
        let served = try await scrape(serveURL, token: token)
        #expect(served.families["aomi_archive_index_lag_files"] == "gauge")
        #expect(served.sum("aomi_archive_index_runs_total") >= 1)
        #expect(served.sum("hb_requests_total") >= 1)
    }

    /// One number from the root's SQLite index (through Python's sqlite3: these tests use the binary, not the library).
    private func count(_ root: String, _ sql: String) async throws -> Int {
        let script = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])"
        let output = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script, root + "/index.sqlite", sql])
        try #require(output.status == 0, "\(output.standardError)")
        return try #require(Int(output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test(.timeLimit(.minutes(15)))
    func forgetErasesASessionThenAWalletFromFilesAndIndexAndFinishesAfterAKill() async throws {
        let root = TemporaryDirectory.path("aomi-forget")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        try await record(into: root, upstream: upstream)
        _ = try await CommandRunner.succeeded(["index", "--archives", root])
        let database = try ArchiveDatabase(location: root + "/index.sqlite")
        let wallets = try ArchiveQueries(database: database).wallets(limit: 10, offset: 0).map(\.wallet)
        try #require(wallets.count == 2)
        let sessions = try database.sessions(ofWallet: wallets[0])
        try #require(sessions.count == 2)

        // Unknown: exit 1, nothing changed.
        let before = RootContents.snapshot(root)
        let unknown = try await CommandRunner.run(["forget", "--archives", root, "--wallet", "0x" + String(repeating: "ab", count: 20)])
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("nothing was changed"))
        let dryRun = try await CommandRunner.succeeded(["forget", "--archives", root, "--session", sessions[0], "--dry-run"])
        #expect(dryRun.standardOutput.contains("would rewrite"))
        #expect(RootContents.snapshot(root) == before, "neither an unknown id nor a dry run changes a byte")

        // A running recorder that wrote the wallet's files: refused, nothing changed.
        let running = try BackgroundCommand(["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root])
        let runningURL = try await running.waitForURL()
        _ = try await CommandRunner.succeeded(["sim", "drive", "--target", runningURL, "--wallets", "1", "--threads", "1", "--messages", "1", "--poll", "10ms"])
        let refused = try await CommandRunner.run(["forget", "--archives", root, "--wallet", wallets.first { $0.hasPrefix("0xcbd68b38") } ?? wallets[0]])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("still running"), "\(refused.standardError)")
        running.signal(SIGTERM)
        #expect(await running.wait() == 0)
        _ = try await CommandRunner.succeeded(["index", "--archives", root])

        // Killed after its first file is rewritten, then run again: finished.
        let killed = try await CommandRunner.run(["forget", "--archives", root, "--session", sessions[0], "--crash-after", "rewritten"])
        #expect(killed.status != 0)
        let forgotten = try await CommandRunner.succeeded(["forget", "--archives", root, "--session", sessions[0]])
        #expect(forgotten.standardOutput.contains("logged in"))
        #expect(RootContents.holding(sessions[0], under: root).isEmpty, "no file under the root holds the session id: \(RootContents.holding(sessions[0], under: root))")
        let show = try await CommandRunner.run(["show", "--archives", root, sessions[0]])
        #expect(show.status != 0)
        _ = try await CommandRunner.succeeded(["show", "--archives", root, sessions[1]])
        _ = try await CommandRunner.succeeded(["verify", "--archives", root])

        // The wallet, killed once after the index step.
        let wallet = wallets[1]
        let killedAgain = try await CommandRunner.run(["forget", "--archives", root, "--wallet", wallet, "--crash-after", "index"])
        #expect(killedAgain.status != 0)
        let resumed = try await CommandRunner.succeeded(["forget", "--archives", root, "--wallet", wallet])
        #expect(resumed.standardOutput.contains("interrupted forget"), "\(resumed.standardOutput)")
        #expect(
            RootContents.holding(String(wallet.dropFirst(2)), under: root).isEmpty, "no file holds the wallet: \(RootContents.holding(String(wallet.dropFirst(2)), under: root))")
        let search = try await CommandRunner.run(["search", "--archives", root, "--wallet", wallet, "swap"])
        #expect(search.status != 0)
        _ = try await CommandRunner.succeeded(["verify", "--archives", root])

        let log = try String(contentsOfFile: root + "/.forgotten.log", encoding: .utf8)
        #expect(log.split(separator: "\n").count == 2)
        #expect(!log.contains(sessions[0]) && !log.contains(wallet))
        #expect(log.contains("forget=session") && log.contains("forget=wallet"))

        let usage = try await CommandRunner.succeeded(["du", "--archives", root, "--json"])
        #expect(!usage.standardOutput.contains(wallet))
        #expect(usage.standardOutput.contains(wallets[0]))

        // The same as a page of serve: the same rows as `du`, by wallet and by day.
        let serve = try BackgroundCommand(["serve", "--archives", root, "--listen", "127.0.0.1:0", "--refresh", "1h"])
        defer { serve.signal(SIGTERM) }
        let serveURL = try await serve.waitForURL()
        let duTotal = try #require(
            usage.standardOutput.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.first {
                $0["kind"] as? String == "total"
            })
        let page = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", serveURL + "/usage?format=json"])
        let model = try #require(try JSONSerialization.jsonObject(with: Data(page.standardOutput.utf8)) as? [String: Any], "\(page.standardOutput)")
        let total = try #require(model["total"] as? [String: Any])
        for key in ["files", "records", "sessions", "bytes_live", "bytes_compacted"] { #expect(total[key] as? Int == duTotal[key] as? Int, "\(key): \(total) vs \(duTotal)") }
        #expect((model["rows"] as? [[String: Any]])?.map { $0["key"] as? String }.contains(wallets[0]) == true)
        let html = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", serveURL + "/usage?by=day"])
        #expect(html.standardOutput.contains("What is kept") && html.standardOutput.contains("<th>day</th>"), "\(html.standardOutput.prefix(400))")
        let wrong = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", serveURL + "/usage?by=week"])
        #expect(wrong.standardOutput == "400")
    }
}
