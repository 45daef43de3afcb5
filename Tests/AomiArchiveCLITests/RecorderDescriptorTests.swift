import AsyncHTTPClient
import Foundation
import TestSupport
import Testing
import WARC

/// `aomi-archive record` with few descriptors (`prlimit --nofile=64`) and more wallets than it
/// can keep files open for: it closes the least recently written file instead of failing.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit (util-linux)"))
struct RecorderDescriptorTests {
    @Test(.timeLimit(.minutes(10)))
    func runningOutOfDescriptorsClosesAnOldFileInsteadOfLosingTheExchange() async throws {
        let root = TemporaryDirectory.path("aomi-nofile")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sim = try BackgroundCommand(["sim", "--listen", "127.0.0.1:0"])
        defer { sim.signal(SIGTERM) }
        let upstream = try await sim.waitForURL()
        let recorder = try BackgroundCommand(
            ["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--quiet"], launcher: ["/usr/bin/prlimit", "--nofile=64:64"])
        let proxy = try await recorder.waitForURL()
        let wallets = (0..<120).map { "0x" + String(format: "%040x", 0xA000 + $0) }
        var notRecorded: [String] = []
        for wallet in wallets {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: proxy + "/api/sessions?public_key=\(wallet)"), deadline: .distantFuture)
            _ = try await response.body.collect(upTo: 1 << 20)
            #expect(response.status == .ok)
            if response.headers["X-Aomi-Recorded"].first == "no" { notRecorded.append(wallet) }
        }
        #expect(notRecorded.isEmpty, "\(notRecorded.count) of \(wallets.count) exchanges were not recorded")
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0)
        #expect(recorder.standardError.contains("0 failed writes"), "\(recorder.standardError.suffix(400))")
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".warc.gz") }
        var recordedWallets: Set<String> = []
        for file in files {
            let (records, damage) = try WARCFileReader.readAll(path: root + "/" + file)
            #expect(damage.isEmpty)
            recordedWallets.formUnion(records.filter { $0.record.type == .request }.compactMap { $0.record.headers["Aomi-Wallet"] })
        }
        #expect(recordedWallets == Set(wallets))
    }
}
