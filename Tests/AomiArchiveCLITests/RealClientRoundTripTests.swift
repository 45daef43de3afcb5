import AomiAPI
import AomiArchive
import AomiSimulator
import AsyncHTTPClient
import Foundation
import NIOCore
import TestSupport
import Testing
import WARC

/// The real client's traffic, recorded and replayed by separate processes as users run them:
/// `sim` → `record` → `sim drive` (client_id per thread, secrets, session-less thread lists,
/// wallet requests signed and rejected) → `replay` → `sim drive` again with new session ids,
/// client_ids, hashes, signatures and secret values, and a user who takes longer to answer
/// each wallet request than the recorded one (more polls than were recorded).
@Suite struct RealClientRoundTripTests {
    private let drive = [
        "sim", "drive", "--wallets", "2", "--threads", "2", "--messages", "3", "--seed", "9", "--poll", "10ms",
        "--json", "--secret-env", "ROUNDTRIP_SECRET", "--request-timeout", "120s",
    ]

    private func report(_ result: CommandRunner.Result) throws -> DriverReport {
        try JSONCoding.decode(DriverReport.self, from: Array(result.standardOutput.utf8))
    }

    @Test(.timeLimit(.minutes(10))) func aRecordedRunReplaysToANewRunWithNewIdsAndNoMiss() async throws {
        let root = TemporaryDirectory.path("aomi-roundtrip")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let secret = "sk-roundtrip-" + UUID().uuidString
        let environment = ["ROUNDTRIP_SECRET": secret]
        // Whoever replays a session does not have the user's secret: the replay matches secrets by name.
        let replayersSecret = "sk-replayer-" + UUID().uuidString

        let sim = try BackgroundCommand(["sim", "--listen", "127.0.0.1:0", "--pace", "polls:2"])
        defer { sim.signal(SIGTERM) }
        let recorder = try BackgroundCommand(["record", "--upstream", try await sim.waitForURL(), "--listen", "127.0.0.1:0", "--archives", root])
        let recorded = try await CommandRunner.run(drive + ["--target", try await recorder.waitForURL()], environment: environment)
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0)
        try #require(recorded.status == 0, "\(recorded.standardError)")
        let original = try report(recorded)

        let replay = try BackgroundCommand(["replay", "--archives", root, "--listen", "127.0.0.1:0"])
        let replayURL = try await replay.waitForURL()
        let replayed = try await CommandRunner.run(drive + ["--target", replayURL, "--wallet-wait", "6"], environment: ["ROUNDTRIP_SECRET": replayersSecret])
        let status = try await HTTPClient.shared.execute(HTTPClientRequest(url: replayURL + "/_replay/status"), timeout: .seconds(120))
        let counters = try JSONCoding.decode(JSONValue.self, from: try await status.body.collect(upTo: 1 << 20).readableBytesView)
        replay.signal(SIGTERM)
        #expect(await replay.wait() == 0)
        try #require(replayed.status == 0, "\(replayed.standardError)")
        let again = try report(replayed)

        #expect(counters["misses"] == .number(0), "\(replay.standardError)")
        #expect(again.transcript == original.transcript)
        #expect(Set(again.threads.map(\.sessionID)).isDisjoint(with: original.threads.map(\.sessionID)))
        #expect(Set(again.threads.flatMap(\.proofs)).isDisjoint(with: original.threads.flatMap(\.proofs)))
        let outcomes = original.threads.flatMap(\.walletOutcomes)
        for expected in ["wallet_tx_request 1 (Swap", "wallet_eip712_request 1 (Permit"] {
            #expect(outcomes.contains { $0.hasPrefix(expected) && $0.hasSuffix(": signed") }, "\(outcomes)")
            #expect(outcomes.contains { $0.hasPrefix(expected) && $0.hasSuffix(": rejected") }, "\(outcomes)")
        }
        #expect(original.threads.allSatisfy { $0.listedInThreads })
        for thread in original.threads + again.threads {
            #expect(thread.walletRequests.count == thread.walletOutcomes.count, "each wallet request seen once: \(thread.walletOutcomes)")
        }

        let fresh = try await CommandRunner.run(["verify", "--archives", root, "--fresh-ids"])
        #expect(fresh.status == 0, "\(fresh.standardOutput)")
        #expect(fresh.standardOutput.contains("no differences"))

        let index = try await CommandRunner.run(["index", "--archives", root])
        #expect(index.status == 0, "\(index.standardError)")
        var places = ["record's log": recorder.standardOutput + recorder.standardError, "replay's log": replay.standardOutput + replay.standardError]
        places["index"] = String(decoding: try Data(contentsOf: URL(fileURLWithPath: root + "/index.sqlite")), as: UTF8.self)
        for file in try archiveFiles(root) {
            places[file] = try WARCFileReader.readAll(path: file).records.map { "\($0.record.headers)" + String(decoding: $0.record.block, as: UTF8.self) }.joined()
        }
        #expect(places.count > 4)
        for (place, text) in places {
            #expect(!text.contains(secret), "the secret is in clear in \(place)")
            #expect(!text.contains(replayersSecret), "the replayer's secret is in clear in \(place)")
        }
        #expect(places.filter { $0.key.hasSuffix(".warc.gz") }.values.contains { $0.contains("POST /api/secrets") && $0.contains("redacted:") })
    }

    @Test(.timeLimit(.minutes(10))) func verifyWithFreshIdsFailsOnAnAlteredAnswer() async throws {
        let root = TemporaryDirectory.path("aomi-fresh")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let demo = try await CommandRunner.run(["demo", "--dir", root])
        try #require(demo.status == 0, "\(demo.standardError)")
        let file = try #require(try archiveFiles(root).first { $0.contains("/0x") })
        let (records, _) = try WARCFileReader.readAll(path: file)
        var altered: String?
        var rewritten: [WARCRecord] = []
        for stored in records {
            var record = stored.record
            if altered == nil, record.type == .response, let target = record.targetURI, target.contains(AomiPath.system), let head = record.httpHeadLength,
                let index = record.block[head...].firstIndex(of: UInt8(ascii: "a"))
            {
                record.block[index] = UInt8(ascii: "A")
                record.headers.remove(WARCField.blockDigest)
                altered = target
            }
            if record.type != .warcinfo { rewritten.append(record) }
        }
        let target = try #require(altered, "the demo answered a wallet request")
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: (file as NSString).deletingLastPathComponent, writerID: "altered", fsync: .never))
        _ = try await writer.write(rewritten)
        _ = try await writer.close()
        try FileManager.default.removeItem(atPath: file)

        let fresh = try await CommandRunner.run(["verify", "--archives", root, "--fresh-ids"])
        #expect(fresh.status == 1)
        #expect(
            fresh.standardOutput.contains("POST \(QueryString.target(ofURI: target))") && fresh.standardOutput.contains("WARC-Payload-Digest"),
            "\(fresh.standardOutput)")
    }

    private func archiveFiles(_ root: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".warc.gz") }.sorted().map { root + "/" + $0 }
    }
}
