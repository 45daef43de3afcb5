import AsyncHTTPClient
import Foundation
import NIOCore
import TestSupport
import Testing
import WARC

/// `aomi-archive record` killed with SIGKILL in the middle of traffic, then restarted on the
/// same archive root.
@Suite struct RecorderCrashTests {
    private actor Received {
        var probes: [Int] = []
        func add(_ probe: Int) { probes.append(probe) }
    }

    @Test(.timeLimit(.minutes(10))) func everyExchangeTheClientReceivedSurvivesAKill() async throws {
        let root = TemporaryDirectory.path("aomi-crash")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        let recorder = try BackgroundCommand(["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--quiet"])
        let proxy = try await recorder.waitForURL()

        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let received = Received()
        var stream = HTTPClientRequest(url: proxy + "/api/updates")
        stream.headers.add(name: "X-Session-Id", value: "crash-stream")
        let updates = try await client.execute(stream, timeout: .seconds(120))
        #expect(updates.status.code == 200)
        let workers = (0..<8).map { worker in
            Task {
                let session = UUID().uuidString.lowercased()
                var create = HTTPClientRequest(url: proxy + "/api/sessions")
                create.method = .POST
                create.headers.add(name: "X-Session-Id", value: session)
                create.headers.add(name: "Content-Type", value: "application/json")
                create.body = .bytes(ByteBuffer(string: #"{"public_key":"0x00000000000000000000000000000000000000\#(String(format: "%02x", worker))"}"#))
                guard (try? await client.execute(create, timeout: .seconds(120)).body.collect(upTo: 1 << 20)) != nil else { return }
                for round in 0..<100_000 {
                    let probe = worker * 100_000 + round
                    var poll = HTTPClientRequest(url: proxy + "/api/state?probe=\(probe)")
                    poll.headers.add(name: "X-Session-Id", value: session)
                    do {
                        let response = try await client.execute(poll, timeout: .seconds(120))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        if response.status.code == 200 { await received.add(probe) }
                    } catch {
                        return
                    }
                }
            }
        }
        // Polls for an event (300 answers received), with no deadline: the test's time limit catches a hang.
        while await received.probes.count < 300 { try await Task.sleep(for: .milliseconds(5)) }
        recorder.signal(SIGKILL)
        #expect(await recorder.wait() == SIGKILL)
        for worker in workers { await worker.value }
        try await client.shutdown()
        let probes = await received.probes
        let left = try openFiles(under: root)
        #expect(!left.isEmpty, "the killed recorder left its files open")

        let restarted = try BackgroundCommand(["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--quiet"])
        _ = try await restarted.waitForURL()
        restarted.signal(SIGTERM)
        #expect(await restarted.wait() == 0)
        #expect(restarted.standardError.contains("repaired"), "\(restarted.standardError)")
        #expect(try openFiles(under: root).isEmpty, "the restart repaired and closed every open file")

        var targets = Set<String>()
        var answered = Set<String>()
        var truncated = 0
        for file in try archiveFiles(under: root) {
            let (records, damage) = try WARCFileReader.readAll(path: file)
            #expect(damage.isEmpty, "\(file): \(damage)")
            for record in records.map(\.record) {
                if record.type == .request, let target = record.targetURI, let id = record.recordID { targets.insert(target + " " + id) }
                if let request = record.headers[WARCField.concurrentTo] { answered.insert(request) }
                if record.headers[WARCField.truncated] != nil { truncated += 1 }
            }
            let check = try await Warcio.run(["check", file])
            #expect(check.status == 0, "\(file): \(check.output)")
        }
        #expect(truncated == 1, "the open SSE stream got its final segment")
        let answeredProbes = Set(
            targets.compactMap { line -> Int? in
                let parts = line.split(separator: " ")
                guard answered.contains(String(parts[1])), let range = parts[0].range(of: "probe=") else { return nil }
                return Int(parts[0][range.upperBound...])
            })
        let missing = probes.filter { !answeredProbes.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) of \(probes.count) received exchanges are missing, e.g. \(missing.prefix(5))")
    }

    private func archiveFiles(under root: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".warc.gz") }.map { root + "/" + $0 }
    }

    private func openFiles(under root: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".open") }
    }
}
