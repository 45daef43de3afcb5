import AsyncHTTPClient
import Foundation
import NIOCore
import TestSupport
import Testing
import WARC

/// `replay`, `verify` and `export` run as a user runs them, over the demo's archives.
@Suite struct ReplayCommandTests {
    @Test(.timeLimit(.minutes(10))) func replayServesTheDriverAndStopsOnSignal() async throws {
        let folder = TemporaryDirectory.path("aomi-replay-cli")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let demo = try await CommandRunner.run(["demo", "--dir", folder])
        try #require(demo.status == 0, "\(demo.standardError)")

        let replay = try BackgroundCommand(["replay", "--archives", folder, "--listen", "127.0.0.1:0", "--quiet"])
        let url = try await replay.waitForURL()
        let drive = try await CommandRunner.run(["sim", "drive", "--target", url, "--wallets", "2", "--threads", "2", "--poll", "10ms"])
        replay.signal(SIGTERM)
        let status = await replay.wait()
        #expect(drive.status == 0, "\(drive.standardOutput) \(drive.standardError)")
        #expect(drive.standardOutput.contains("4 threads"))
        #expect(drive.standardOutput.contains("0 errors"))
        #expect(replay.standardError.contains("serving 9 sessions"), "the start-up line is in the log (the demo's 5 sessions and its 4 reruns)")
        #expect(!replay.standardError.contains("miss"), "\(replay.standardError)")
        #expect(status == 0)
    }

    @Test(.timeLimit(.minutes(10))) func verifyTwiceGivesTheSameOutputAndExportWrites() async throws {
        let folder = TemporaryDirectory.path("aomi-verify-cli")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let demo = try await CommandRunner.run(["demo", "--dir", folder])
        try #require(demo.status == 0, "\(demo.standardError)")
        let first = try await CommandRunner.run(["verify", "--archives", folder])
        let second = try await CommandRunner.run(["verify", "--archives", folder])
        #expect(first.status == 0, "\(first.standardOutput)")
        #expect(first.standardOutput == second.standardOutput)
        #expect(first.standardOutput.contains("no differences"))

        let session = String(try #require(demo.standardOutput.split(separator: "show ").last?.split(separator: " ").first))
        let har = try await CommandRunner.run(["export", "--archives", folder, "--session", session, "--format", "har", "-o", folder + "/s.har"])
        let warc = try await CommandRunner.run(["export", "--archives", folder, "--session", session, "-o", folder + "/s.warc.gz"])
        #expect(har.status == 0 && warc.status == 0, "\(har.standardError) \(warc.standardError)")
        let verifyExport = try await CommandRunner.run(["verify", folder + "/s.warc.gz"])
        #expect(verifyExport.status == 0, "\(verifyExport.standardOutput)")
        #expect(verifyExport.standardOutput.contains("verify: 1 sessions"))

        let none = try await CommandRunner.run(["replay", "--archives", folder, "--session", "no-such-session"])
        #expect(none.status != 0)
        #expect(none.standardError.contains("no recorded session matches"))
    }
}

/// `replay --fallback URL --record DIR`: misses go to a live backend and are recorded as `record` would.
@Suite struct ReplayFallbackCommandTests {
    @Test(.timeLimit(.minutes(10))) func missesAreForwardedAndRecorded() async throws {
        let folder = TemporaryDirectory.path("aomi-fallback-cli")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let demo = try await CommandRunner.run(["demo", "--dir", folder + "/recorded"])
        try #require(demo.status == 0, "\(demo.standardError)")
        let sim = try BackgroundCommand(["sim", "--listen", "127.0.0.1:0"])
        let live = try await sim.waitForURL()
        let replay = try BackgroundCommand([
            "replay", "--archives", folder + "/recorded", "--listen", "127.0.0.1:0",
            "--fallback", live, "--record", folder + "/forwarded",
        ])
        let url = try await replay.waitForURL()

        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var request = HTTPClientRequest(url: url + "/api/chat?message=hello%20fallback")
        request.method = .POST
        request.headers.add(name: "X-Session-Id", value: UUID().uuidString.lowercased())
        let response = try await client.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 1 << 20)
        try await client.shutdown()
        replay.signal(SIGTERM)
        let status = await replay.wait()
        sim.signal(SIGTERM)
        _ = await sim.wait()

        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "X-Aomi-Replay") == "fallback")
        #expect(String(buffer: body).contains("hello fallback"))
        #expect(status == 0, "\(replay.standardError)")
        let files = (try FileManager.default.subpathsOfDirectory(atPath: folder + "/forwarded")).filter { $0.hasSuffix(".warc.gz") }
        let requests = try files.flatMap { try WARCFileReader.readAll(path: folder + "/forwarded/" + $0).records }
            .filter { $0.record.type == .request }
        #expect(requests.contains { $0.record.targetURI?.contains("message=hello%20fallback") == true }, "\(files)")
    }
}
