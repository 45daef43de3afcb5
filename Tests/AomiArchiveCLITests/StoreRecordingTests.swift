import AomiArchive
import Foundation
import ObjectStore
import TestSupport
import Testing
import WARC

/// `record --store` against a real S3 endpoint (a Ceph RADOS Gateway the test starts): two
/// recorders on two roots upload into one bucket under driven traffic; a store that goes
/// away and a recorder killed before its uploads lose nothing; wrong credentials stop the
/// recorder at start. Every record is found in the bucket once.
@Suite(.tags(.objectStore, .slow), .needs(.ceph), .serialized)
struct StoreRecordingTests {
    private static let bucket = "aomi-archives"

    private func client(_ store: CephGateway) throws -> ObjectStoreClient {
        try ObjectStoreClient(location: try StoreLocation("s3://\(Self.bucket)"), environment: store.environment)
    }

    /// `/_recorder/health`'s `store` part.
    private func storeHealth(_ url: String) async throws -> [String: Any] {
        let output = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", url + "/_recorder/health"])
        let health = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
        return try #require(health["store"] as? [String: Any], "\(output.standardOutput)")
    }

    /// Waits until the store part of the health satisfies `condition` (no deadline: the
    /// test's time limit catches a recorder that never gets there).
    private func waitForHealth(_ url: String, _ condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        while true {
            let health = try await storeHealth(url)
            if condition(health) { return health }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Every object under `prefix`, downloaded into a folder as `<key>`, and the records read
    /// from them: record ids (each once, or the test fails) and how many requests.
    private func recordsInBucket(_ client: ObjectStoreClient, prefix: String) async throws -> (ids: [String], requests: Int, keys: [String]) {
        let copy = try await BucketContents.download(client, prefix: prefix)
        defer { try? FileManager.default.removeItem(atPath: copy.folder) }
        var ids: [String] = []
        var requests = 0
        for relative in copy.etags.keys.sorted() {
            let read = try WARCFileReader.readAll(path: copy.folder + "/" + relative)
            #expect(read.damage.isEmpty, "\(prefix)\(relative): \(read.damage)")
            ids += read.records.compactMap(\.record.recordID)
            requests += read.records.filter { $0.record.type == .request }.count
        }
        return (ids, requests, copy.etags.keys.sorted().map { prefix + $0 })
    }

    /// The record ids in every file (closed or `.open`) under `root`.
    private func recordIDs(under root: String) throws -> [String] {
        try ArchiveFiles.find(under: root).flatMap { try WARCFileReader.readAll(path: $0).records.compactMap(\.record.recordID) }
    }

    /// The requests a recorder's closing summary counts: its exchanges and its streams.
    private func requests(inSummary text: String) throws -> Int {
        let range = try #require(text.range(of: #"stopped: [0-9]+ exchanges and [0-9]+ streams"#, options: .regularExpression), "\(text)")
        let words = text[range].split(separator: " ")
        return try #require(Int(words[1])) + (try #require(Int(words[4])))
    }

    @Test(.timeLimit(.minutes(10)))
    func twoRecordersOnTwoRootsUploadIntoOneBucketAndEveryRecordIsThereOnce() async throws {
        try await CephGateway.with { store in
            let client = try client(store)
            try await client.createBucket()
            let (sim, upstream) = try await BackgroundCommand.startSimulator()
            defer { sim.signal(SIGTERM) }
            let roots = [TemporaryDirectory.path("aomi-store-a"), TemporaryDirectory.path("aomi-store-b")]
            defer { for root in roots { try? FileManager.default.removeItem(atPath: root) } }
            // A: compacted then uploaded and removed; B: uploaded and kept.
            let options = [["--compact-on-close"], ["--keep-local"]]
            var recorders: [BackgroundCommand] = []
            for (root, extra) in zip(roots, options) {
                let recorder = try BackgroundCommand(
                    ["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--rotate", "16KiB", "--store", "s3://\(Self.bucket)/team"]
                        + extra, environment: store.environment)
                recorders.append(recorder)
            }
            for recorder in recorders {
                let url = try await recorder.waitForURL()
                _ = try await CommandRunner.succeeded(["sim", "drive", "--target", url, "--wallets", "2", "--threads", "2", "--messages", "2", "--poll", "10ms"])
                let health = try await waitForHealth(url) { ($0["uploaded_files"] as? Int ?? 0) > 0 }
                #expect(health["location"] as? String == "s3://\(Self.bucket)/team")
                let metrics = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", url + "/metrics"]).standardOutput
                #expect(metrics.contains("aomi_archive_store_uploads_total") && metrics.contains("aomi_archive_store_backlog_files"), "\(metrics.prefix(2000))")
            }
            var requests = 0
            for recorder in recorders {
                recorder.signal(SIGTERM)
                #expect(await recorder.wait() == 0, "\(recorder.standardError)")
                requests += try self.requests(inSummary: recorder.standardError + recorder.standardOutput)
                #expect(!recorder.standardError.contains("not uploaded yet"), "\(recorder.standardError)")
            }
            #expect(try ArchiveFiles.find(under: roots[0]).isEmpty, "every file of A went to the store")
            let kept = try ArchiveFiles.find(under: roots[1])
            #expect(!kept.isEmpty)
            for file in kept {
                let key = "team/" + String(file.dropFirst(roots[1].count + 1))
                #expect(try await client.get(key: key) == Array(try Data(contentsOf: URL(fileURLWithPath: file))), "\(key) is the kept file, byte for byte")
            }

            let bucket = try await recordsInBucket(client, prefix: "team/")
            #expect(Set(bucket.ids).count == bucket.ids.count, "no record twice")
            #expect(bucket.requests == requests, "every request recorded is in the bucket")
            #expect(bucket.keys.allSatisfy { $0.hasPrefix("team/0x") || $0.hasPrefix("team/_unbound/") }, "\(bucket.keys)")
            #expect(Set(try recordIDs(under: roots[1])).isSubset(of: Set(bucket.ids)))
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aStoreThatIsDownAndARecorderKilledBeforeItsUploadsLoseNothing() async throws {
        try await CephGateway.with { store in
            let client = try client(store)
            try await client.createBucket()
            let (sim, upstream) = try await BackgroundCommand.startSimulator()
            defer { sim.signal(SIGTERM) }
            let root = TemporaryDirectory.path("aomi-store-down")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let arguments = ["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--rotate", "16KiB", "--store", "s3://\(Self.bucket)/down"]

            // The store goes away: recording goes on, the closed files wait, the health says so.
            await store.stopGateway()
            let first = try BackgroundCommand(arguments + ["--store-retry-max", "1s"], environment: store.environment)
            let firstURL = try await first.waitForURL()
            #expect(first.standardError.contains("does not answer now"), "\(first.standardError)")
            _ = try await CommandRunner.succeeded(["sim", "drive", "--target", firstURL, "--wallets", "2", "--threads", "2", "--messages", "2", "--poll", "10ms"])
            let waiting = try await waitForHealth(firstURL) { ($0["failures"] as? Int ?? 0) > 0 && ($0["backlog_files"] as? Int ?? 0) > 0 }
            #expect(waiting["uploaded_files"] as? Int == 0)
            #expect((waiting["last_error"] as? String)?.contains("could not be reached") == true, "\(waiting)")

            // Killed with its backlog: the files stay, closed or open.
            first.signal(SIGKILL)
            _ = await first.wait()
            let recorded = Set(try recordIDs(under: root))
            #expect(!recorded.isEmpty)

            // The store back, a new start: what the dead recorder left goes up.
            try await store.startGateway()
            let second = try BackgroundCommand(arguments, environment: store.environment)
            let secondURL = try await second.waitForURL()
            #expect(second.standardError.contains("closed files are not uploaded yet"), "\(second.standardError)")
            _ = try await waitForHealth(secondURL) { ($0["backlog_files"] as? Int) == 0 && ($0["uploaded_files"] as? Int ?? 0) > 0 }
            second.signal(SIGTERM)
            #expect(await second.wait() == 0)
            #expect(try ArchiveFiles.find(under: root).isEmpty, "nothing is left to upload")

            let bucket = try await recordsInBucket(client, prefix: "down/")
            #expect(Set(bucket.ids).count == bucket.ids.count, "no record twice")
            #expect(recorded.isSubset(of: Set(bucket.ids)), "every record the killed recorder wrote is in the bucket")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func theStoreGoingAwayMidUploadLosesNothingAndTheFileGoesUpWholeLater() async throws {
        try await CephGateway.with { store in
            let client = try client(store)
            try await client.createBucket()
            let (sim, upstream) = try await BackgroundCommand.startSimulator()
            defer { sim.signal(SIGTERM) }
            let root = TemporaryDirectory.path("aomi-store-mid")
            defer { try? FileManager.default.removeItem(atPath: root) }
            // Closed files to send, recorded without a store.
            let plain = try BackgroundCommand(["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--rotate", "64KiB"])
            let plainURL = try await plain.waitForURL()
            _ = try await CommandRunner.succeeded(["sim", "drive", "--target", plainURL, "--wallets", "2", "--threads", "2", "--messages", "2", "--poll", "10ms"])
            plain.signal(SIGTERM)
            #expect(await plain.wait() == 0)
            let files = try ArchiveFiles.find(under: root)
            try #require(files.contains { ArchiveFiles.size(of: $0) > 32 << 10 }, "a file larger than the gate")

            // The store behind a gate that holds each connection after 16 KiB of request.
            let relay = try GatedRelay(to: store.port)
            defer { relay.stop() }
            relay.hold(after: 16 << 10)
            let environment = store.environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:\(relay.port)"]) { $1 }
            let recorder = try BackgroundCommand(
                [
                    "record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--store", "s3://\(Self.bucket)/mid", "--keep-local",
                    "--store-retry-max", "1s",
                ], environment: environment)
            let url = try await recorder.waitForURL()
            while !relay.isHolding { try await Task.sleep(for: .milliseconds(20)) }

            // Mid-upload: the store dies, the connection with it.
            await store.stopGateway()
            relay.cutAll()
            let failing = try await waitForHealth(url) { ($0["failures"] as? Int ?? 0) > 0 }
            #expect(failing["backlog_files"] as? Int == files.count, "nothing counts as uploaded: \(failing)")

            // The store back, the gate open: every file goes up whole.
            try await store.startGateway()
            relay.open()
            _ = try await waitForHealth(url) { ($0["backlog_files"] as? Int) == 0 }
            recorder.signal(SIGTERM)
            #expect(await recorder.wait() == 0)
            let objects = try await client.list(prefix: "mid/")
            #expect(objects.count == files.count)
            for file in files {
                let key = "mid/" + String(file.dropFirst(root.count + 1))
                #expect(try await client.get(key: key) == Array(try Data(contentsOf: URL(fileURLWithPath: file))), "\(key) went up whole")
            }
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aStoreAnsweringSlowDownHoldsUpNothingAndLosesNothing() async throws {
        try await CephGateway.with { store in
            let client = try client(store)
            try await client.createBucket()
            let (sim, upstream) = try await BackgroundCommand.startSimulator()
            defer { sim.signal(SIGTERM) }
            let root = TemporaryDirectory.path("aomi-store-slow")
            defer { try? FileManager.default.removeItem(atPath: root) }
            // Every connection to the store is answered 503 SlowDown until the test says.
            let relay = try GatedRelay(to: store.port)
            defer { relay.stop() }
            relay.refuse(next: Int.max)
            let environment = store.environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:\(relay.port)"]) { $1 }
            let recorder = try BackgroundCommand(
                [
                    "record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--rotate", "16KiB", "--store", "s3://\(Self.bucket)/slow",
                    "--store-retry-max", "1s",
                ], environment: environment)
            let url = try await recorder.waitForURL()
            #expect(recorder.standardError.contains("does not answer now"), "\(recorder.standardError)")
            let driven = try await CommandRunner.run(["sim", "drive", "--target", url, "--wallets", "2", "--threads", "2", "--messages", "2", "--poll", "10ms"])
            #expect(driven.status == 0, "recording went on: \(driven.standardError)")
            let busy = try await waitForHealth(url) { ($0["failures"] as? Int ?? 0) > 0 && ($0["backlog_files"] as? Int ?? 0) > 0 }
            #expect((busy["last_error"] as? String)?.contains("SlowDown") == true, "\(busy)")
            #expect(busy["uploaded_files"] as? Int == 0)

            // The store takes requests again: the backlog empties, every record is there once.
            relay.refuse(next: 0)
            _ = try await waitForHealth(url) { ($0["backlog_files"] as? Int) == 0 && ($0["uploaded_files"] as? Int ?? 0) > 0 }
            recorder.signal(SIGTERM)
            #expect(await recorder.wait() == 0, "\(recorder.standardError)")
            let bucket = try await recordsInBucket(client, prefix: "slow/")
            #expect(Set(bucket.ids).count == bucket.ids.count, "no record twice")
            #expect(bucket.requests == (try requests(inSummary: recorder.standardError + recorder.standardOutput)))
            #expect(relay.refused > 2)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func wrongCredentialsStopTheRecorderAtStartWithTheStoresWords() async throws {
        try await CephGateway.with { store in
            try await client(store).createBucket()
            let root = TemporaryDirectory.path("aomi-store-creds")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let environment = store.environment.merging(["AWS_SECRET_ACCESS_KEY": "a-wrong-secret"]) { $1 }
            let refused = try await CommandRunner.run(
                ["record", "--upstream", "http://127.0.0.1:9", "--listen", "127.0.0.1:0", "--archives", root, "--store", "s3://\(Self.bucket)/x"], environment: environment)
            #expect(refused.status == 1)
            #expect(refused.standardError.contains("SignatureDoesNotMatch") && !refused.standardError.contains("a-wrong-secret"), "\(refused.standardError)")
            let missing = try await CommandRunner.run(
                ["record", "--upstream", "http://127.0.0.1:9", "--listen", "127.0.0.1:0", "--archives", root, "--store", "s3://no-such-bucket/x"],
                environment: store.environment)
            #expect(missing.status == 1 && missing.standardError.contains("NoSuchBucket"), "\(missing.standardError)")
        }
    }
}
