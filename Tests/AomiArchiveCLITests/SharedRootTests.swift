import AomiArchive
import AomiSimulator
import ArchiveIndex
import AsyncHTTPClient
import Foundation
import NIOCore
import TestSupport
import Testing
import WARC

/// Several `record` processes writing into one archive root at once, as several machines
/// behind one load balancer would: no clash of files or folders, revisits that point at
/// records that exist, and a start-up repair that never touches a running recorder's files.
@Suite struct SharedRootTests {
    private func startRecorder(_ upstream: String, root: String) async throws -> (BackgroundCommand, String) {
        let recorder = try BackgroundCommand(["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root])
        return (recorder, try await recorder.waitForURL())
    }

    /// The recorder id a `record` process announced (`(recorder ID)` in its start-up line).
    private func recorderID(of recorder: BackgroundCommand) throws -> String {
        let line = try #require(recorder.standardError.split(separator: "\n").first { $0.contains("(recorder ") })
        return String(try #require(line.split(separator: "(recorder ").last?.split(separator: ")").first))
    }

    private func drive(_ url: String) async throws -> DriverReport {
        let drive = try await CommandRunner.succeeded(["sim", "drive", "--target", url, "--wallets", "2", "--threads", "2", "--messages", "2", "--poll", "10ms", "--json"])
        let report = try JSONDecoder().decode(DriverReport.self, from: Data(drive.standardOutput.utf8))
        #expect(report.errors.isEmpty, "\(report.errors)")
        return report
    }

    @Test(.tags(.postgres), .needs(.postgres), .timeLimit(.minutes(10)))
    func twoRecordersShareARootAndEveryExchangeIsIndexedOnce() async throws {
        let root = TemporaryDirectory.path("aomi-shared")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        let (first, firstURL) = try await startRecorder(upstream, root: root)
        let (second, secondURL) = try await startRecorder(upstream, root: root)
        let ids = [try recorderID(of: first), try recorderID(of: second)]

        // The same seed drives the same wallets through both: both recorders write into the
        // same wallet folders at once, each with its own sessions.
        async let viaFirst = drive(firstURL)
        async let viaSecond = drive(secondURL)
        let reports = try await [viaFirst, viaSecond]
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(await first.wait() == 0, "\(first.standardError)")
        #expect(await second.wait() == 0, "\(second.standardError)")

        let files = try ArchiveFiles.find(under: root)
        #expect(!files.contains(where: ArchiveFiles.isOpen), "both recorders closed their files")
        let lockFolder = (root as NSString).appendingPathComponent(RecorderLock.folder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: lockFolder).isEmpty, "a stopped recorder removes its lock")
        var writersPerFolder: [String: Set<String>] = [:]
        for file in files {
            let writer = try #require(RecorderLock.writerID(inFileName: file))
            #expect(ids.contains(writer), "\(file) is named after one of the two recorders")
            writersPerFolder[(file as NSString).deletingLastPathComponent, default: []].insert(writer)
        }
        let wallets = Set(reports.flatMap { $0.threads.map(\.wallet) })
        #expect(wallets.count == 2)
        for wallet in wallets {
            let folder = try #require(writersPerFolder.first { $0.key.lowercased().hasSuffix(wallet.lowercased()) }, "\(wallet) has a folder")
            #expect(folder.value == Set(ids), "both recorders wrote into \(folder.key)")
        }

        var recordIDs = Set<String>()
        var referred: [String] = []
        var records = 0
        for file in files {
            let (stored, damage) = try WARCFileReader.readAll(path: file)
            #expect(damage.isEmpty, "\(file): \(damage)")
            records += stored.count
            for record in stored.map(\.record) {
                let id = try #require(record.recordID)
                #expect(recordIDs.insert(id).inserted, "\(id) is written once")
                if record.type == .revisit, let original = record.headers[WARCField.refersTo] { referred.append(original) }
            }
            let check = try await Warcio.run(["check", "-v", file])
            #expect(check.status == 0, "\(check.output)")
        }
        #expect(!referred.isEmpty, "the polls repeat, so there are revisits")
        #expect(referred.allSatisfy(recordIDs.contains), "every revisit points at a record in the root")

        let indexed = try await CommandRunner.succeeded(["index", "--archives", root])
        #expect(indexed.standardOutput.hasPrefix("indexed \(records) records"), "\(indexed.standardOutput)")
        let again = try await CommandRunner.succeeded(["index", "--archives", root])
        #expect(again.standardOutput.hasPrefix("indexed 0 records"), "\(again.standardOutput)")
        let sessions = Set(reports.flatMap { $0.threads.map(\.sessionID) })
        #expect(sessions.count == 8)
        var listed: [String] = []
        for wallet in wallets {
            let threads = try await CommandRunner.succeeded(["threads", "--archives", root, "--wallet", wallet, "--json"])
            listed += sessions.filter { threads.standardOutput.contains($0) }
        }
        #expect(listed.sorted() == sessions.sorted(), "each session is listed once, under its wallet")

        let verified = try await CommandRunner.succeeded(["verify", "--archives", root])
        #expect(verified.standardOutput.contains("no differences"), "\(verified.standardOutput)")

        try await twoIndexersLoadOnePostgresIndex(root: root, records: records, sessions: sessions, wallets: wallets)
    }

    /// Two `index` runs at once into one PostgreSQL database (one named by `--db`, one by
    /// `AOMI_ARCHIVE_DB`): every record loaded by one of them, once; every exchange there
    /// with its answer; and the commands answer from it as they do from SQLite.
    private func twoIndexersLoadOnePostgresIndex(root: String, records: Int, sessions: Set<String>, wallets: Set<String>) async throws {
        let postgres = try await IndexBackend.postgres.newIndex(in: root)
        async let byOption = CommandRunner.run(["index", "--archives", root, "--db", postgres])
        async let byEnvironment = CommandRunner.run(["index", "--archives", root], environment: ["AOMI_ARCHIVE_DB": postgres])
        let runs = try await [byOption, byEnvironment]
        var loaded = 0
        for run in runs {
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardOutput.contains("into \(postgres)"), "\(run.standardOutput)")
            loaded += Int(run.standardOutput.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        #expect(loaded == records, "every record loaded by one of the two indexers, once: \(runs.map(\.standardOutput))")
        let connection = try PostgresConnection(try #require(PostgresLocation(postgres)))
        let requests = try connection.execute("SELECT count(*) AS n FROM records WHERE type = 'request'").value("n", row: 0)
        #expect(try connection.execute("SELECT count(*) AS n FROM exchanges WHERE answer_type IS NOT NULL").value("n", row: 0) == requests)
        #expect(try connection.execute("SELECT count(DISTINCT record_id) AS n FROM records").value("n", row: 0) == String(records))
        for session in sessions {
            let fromSQLite = try await CommandRunner.succeeded(["show", "--archives", root, session, "--json"])
            let fromPostgres = try await CommandRunner.succeeded(["show", "--archives", root, "--db", postgres, session, "--json"])
            #expect(fromPostgres.standardOutput == fromSQLite.standardOutput, "show \(session)")
        }
        for wallet in wallets {
            let fromSQLite = try await CommandRunner.succeeded(["threads", "--archives", root, "--wallet", wallet, "--json"])
            let fromPostgres = try await CommandRunner.succeeded(["threads", "--archives", root, "--wallet", wallet, "--json"], environment: ["AOMI_ARCHIVE_DB": postgres])
            #expect(fromPostgres.standardOutput == fromSQLite.standardOutput, "threads of \(wallet)")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aStartingRecorderRepairsOnlyTheFilesOfStoppedOnes() async throws {
        let root = TemporaryDirectory.path("aomi-shared-repair")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        func poll(_ url: String, _ probe: Int, session: String? = nil) async throws -> Int {
            var request = HTTPClientRequest(url: url + "/api/state?probe=\(probe)")
            request.headers.add(name: "X-Session-Id", value: session ?? "shared-root-\(probe)")
            let response = try await client.execute(request, timeout: .seconds(120))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        }

        let (running, runningURL) = try await startRecorder(upstream, root: root)
        #expect(try await poll(runningURL, 1) == 200)
        let live = try #require(ArchiveFiles.openFiles(under: root).first, "the running recorder has an open file")
        let liveSize = try FileManager.default.attributesOfItem(atPath: live)[.size] as! Int

        let (starting, startingURL) = try await startRecorder(upstream, root: root)
        #expect(starting.standardError.contains("left 1 open files alone"), "\(starting.standardError)")
        #expect(!starting.standardError.contains("repaired"))
        let refused = try await CommandRunner.run(["inspect", "--repair", live])
        #expect(refused.status != 0 && refused.standardError.contains("running recorder"), "\(refused.standardError)")
        #expect(try FileManager.default.attributesOfItem(atPath: live)[.size] as! Int == liveSize, "the live file is untouched")
        #expect(try await poll(runningURL, 2) == 200)
        #expect(try await poll(startingURL, 3) == 200)
        // One session through both recorders, without sticky routing: each numbers its share.
        for (url, probe) in [(runningURL, 4), (runningURL, 5), (startingURL, 6)] {
            #expect(try await poll(url, probe, session: "split-session") == 200)
        }

        running.signal(SIGKILL)
        _ = await running.wait()
        let (restarted, _) = try await startRecorder(upstream, root: root)
        #expect(restarted.standardError.contains("repaired \(live)"), "\(restarted.standardError)")
        #expect(restarted.standardError.contains("left 1 open files alone"), "the second recorder's file is still live")
        try await client.shutdown()
        for recorder in [starting, restarted] {
            recorder.signal(SIGTERM)
            #expect(await recorder.wait() == 0, "\(recorder.standardError)")
        }

        #expect(ArchiveFiles.openFiles(under: root).isEmpty)
        var probes: [String] = []
        for file in try ArchiveFiles.find(under: root) {
            let (stored, damage) = try WARCFileReader.readAll(path: file)
            #expect(damage.isEmpty, "\(file): \(damage)")
            probes += stored.map(\.record).filter { $0.type == .request }.compactMap(\.targetURI).compactMap { $0.split(separator: "probe=").last.map(String.init) }
        }
        #expect(probes.sorted() == ["1", "2", "3", "4", "5", "6"], "every answered poll is in the archive once")

        let har = root + "/split.har"
        _ = try await CommandRunner.succeeded(["export", "--archives", root, "--session", "split-session", "--format", "har", "-o", har])
        let text = try String(contentsOfFile: har, encoding: .utf8)
        #expect(["probe=4", "probe=5", "probe=6"].allSatisfy(text.contains), "the session is whole across both recorders' files")
    }
}
