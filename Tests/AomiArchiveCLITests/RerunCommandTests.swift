import AomiAPI
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import TestSupport
import Testing

/// `aomi-archive rerun` run as a CI job runs it: its report, its JSON, its exit status.
@Suite struct RerunCommandTests {
    /// A root holding one driven wallet's conversations, and the simulator they were recorded from.
    private func recorded() async throws -> (root: String, sim: ApplicationServer, wallet: String) {
        let sim = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router())
        let recording = try await RecordingFixture.start(upstream: sim.baseURL, recorderID: "rerun-cli")
        let report = try await recording.drive(wallets: 1, threads: 2, messages: 3)
        // A session that only ever polled: there is nothing of the user's to send again.
        var poll = HTTPClientRequest(url: recording.server.baseURL + "/api/state")
        poll.headers.add(name: "X-Session-Id", value: "silent-session")
        _ = try await recording.client.execute(poll, timeout: .seconds(60)).body.collect(upTo: 1 << 20)
        try await recording.stop()
        return (recording.root, sim, try #require(report.threads.first?.wallet))
    }

    private func rerun(_ arguments: [String], root: String) async throws -> CommandRunner.Result {
        try await CommandRunner.run(["rerun", "--archives", root, "--poll-interval", "10ms", "--quiet"] + arguments)
    }

    @Test(.timeLimit(.minutes(10))) func theSameBackendExitsZeroAndAVariantExitsOne() async throws {
        let (root, sim, wallet) = try await recorded()
        defer { try? FileManager.default.removeItem(atPath: root) }
        defer { Task { await sim.stop() } }

        let same = try await rerun(["--wallet", wallet, "--upstream", sim.baseURL, "--json"], root: root)
        #expect(same.status == 0, "\(same.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(same.standardOutput.utf8)) as? [String: Any])
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["same"] as? Int == 2 && summary["structural_change"] as? Bool == false, "\(summary)")
        let sessions = try #require(report["sessions"] as? [[String: Any]])
        let turn = try #require(((sessions.first?["reruns"] as? [[String: Any]])?.first?["turns"] as? [[String: Any]])?.first)
        #expect(turn["verdict"] as? String == "same" && turn["original_timing"] != nil)

        let variant = try BackgroundCommand(["sim", "serve", "--listen", "127.0.0.1:0", "--pace", "polls:2", "--think", "30ms", "--variant", "amounts"])
        let variantURL = try await variant.waitForURL()
        let changed = try await rerun(["--wallet", wallet, "--upstream", variantURL, "--repeat", "2"], root: root)
        #expect(changed.status == 1, "\(changed.standardError)")
        #expect(changed.standardOutput.contains("wallet request changed in 2 of 2"), "\(changed.standardOutput)")
        #expect(changed.standardOutput.contains("[-") && changed.standardOutput.contains("{+"))
        variant.signal(SIGTERM)
        _ = await variant.wait()
    }

    @Test(.timeLimit(.minutes(10))) func badArgumentsUnknownSessionsAndAnUnreachableUpstreamExitTwo() async throws {
        let (root, sim, wallet) = try await recorded()
        defer { try? FileManager.default.removeItem(atPath: root) }
        defer { Task { await sim.stop() } }
        let cases: [([String], String)] = [
            (["no-such-session", "--upstream", sim.baseURL], "no recorded session no-such-session"),
            (["silent-session", "--upstream", sim.baseURL], "silent-session has no user message"),
            (["--upstream", sim.baseURL], "name what to rerun"),
            (["--wallet", wallet, "--upstream", sim.baseURL, "--repeat", "0"], "--repeat must be 1 to 1000"),
            (["--wallet", wallet, "--upstream", "ftp://x"], "--upstream"),
            (["--wallet", wallet, "--upstream", sim.baseURL, "--secret", "API_KEY=AOMI_RERUN_UNSET_VARIABLE"], "AOMI_RERUN_UNSET_VARIABLE is not set"),
            (["--wallet", wallet, "--upstream", "http://127.0.0.1:1"], "upstream http://127.0.0.1:1 cannot be reached"),
        ]
        for (arguments, message) in cases {
            let result = try await rerun(arguments, root: root)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.standardError)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
        // Nothing was recorded by the refused runs: only the original recorder's files are there.
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".warc.gz") }
        #expect(files.allSatisfy { $0.contains("rerun-cli") }, "\(files)")
    }

    @Test(.timeLimit(.minutes(10))) func ctrlCKeepsWhatRanRecordedAndReported() async throws {
        let (root, sim, wallet) = try await recorded()
        defer { try? FileManager.default.removeItem(atPath: root) }
        defer { Task { await sim.stop() } }
        // A backend whose turns never move on: the rerun polls until it is stopped.
        let stuck = try BackgroundCommand(["sim", "serve", "--listen", "127.0.0.1:0", "--pace", "polls:1000000"])
        let stuckURL = try await stuck.waitForURL()
        let before = Set(try FileManager.default.subpathsOfDirectory(atPath: root))
        let running = try BackgroundCommand(["rerun", "--archives", root, "--wallet", wallet, "--upstream", stuckURL, "--poll-interval", "10ms", "--quiet"])
        // Held until the rerun's recorder has written something: the rerun is under way.
        while Set(try FileManager.default.subpathsOfDirectory(atPath: root)).subtracting(before).filter({ $0.contains(".warc.gz") }).isEmpty {
            guard running.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }

        running.signal(SIGINT)
        let status = await running.wait()

        #expect(status == 1, "\(running.standardError)")
        #expect(running.standardOutput.contains("interrupted"), "\(running.standardOutput)")
        let written = Set(try FileManager.default.subpathsOfDirectory(atPath: root)).subtracting(before).filter { $0.hasSuffix(".warc.gz") }
        #expect(!written.isEmpty, "the rerun's records were kept and closed")
        stuck.signal(SIGTERM)
        _ = await stuck.wait()
    }
}
