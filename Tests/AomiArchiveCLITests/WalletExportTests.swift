import AomiAPI
import Foundation
import TestSupport
import Testing

/// `export --wallet`: everything the wallet's folder holds, and, `--playable`, a WARC that
/// pywb plays request by request.
@Suite(.tags(.pywb), .needs(.pywb)) struct WalletExportTests {
    private func requestCount(inspecting files: [String]) async throws -> Int {
        let inspected = try await CommandRunner.run(["inspect", "--json"] + files)
        try #require(inspected.status == 0, "\(inspected.standardError)")
        return inspected.standardOutput.split(separator: "\n").filter { $0.contains(#""kind":"record""#) && $0.contains(#""type":"request""#) }.count
    }

    @Test(.timeLimit(.minutes(15)))
    func aWalletExportHoldsEveryRequestOfItsFolderAndPywbPlaysEachAsRecorded() async throws {
        let fixture = try await RecordingFixture.start(recorderID: "wallet-export")
        let exports = fixture.root + "-exports"
        try FileManager.default.createDirectory(atPath: exports, withIntermediateDirectories: true)
        defer {
            fixture.remove()
            try? FileManager.default.removeItem(atPath: exports)
        }
        // Two threads: the second thread's secrets calls are revisits of the first's, under another client_id's URL.
        let report = try await fixture.drive(wallets: 1, threads: 2, messages: 2)
        try #require(report.errors.isEmpty, "\(report.errors)")
        try await fixture.stop()
        let wallet = try #require(report.threads.first?.wallet)
        let folder = fixture.root + "/" + wallet
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".warc.gz") }.map { folder + "/" + $0 }
        let inFolder = try await requestCount(inspecting: files)
        try #require(inFolder > 20)

        for playable in [false, true] {
            let output = exports + "/export-\(playable).warc.gz"
            let exported = try await CommandRunner.run(["export", "--archives", fixture.root, "--wallet", wallet, "-o", output] + (playable ? ["--playable"] : []))
            try #require(exported.status == 0, "\(exported.standardError)")
            #expect(try await requestCount(inspecting: [output]) == inFolder, "playable: \(playable)")
            let verified = try await CommandRunner.run(["verify", output])
            #expect(verified.status == 0 && verified.standardOutput.contains(" \(inFolder) requests"), "\(verified.standardOutput)")
            #expect(try await Warcio.run(["check", output]).status == 0)
            guard playable else { continue }
            let played = try await Pywb.play(output, "--every-request")
            #expect(played.status == 0, "\(played.standardOutput.split(separator: "\n").filter { !$0.contains(#""equal": true"#) }.prefix(10))")
            let answered = played.standardOutput.split(separator: "\n").filter { $0.contains(#""equal": true"#) }
            #expect(answered.count == inFolder)
            #expect(answered.contains { $0.contains("DELETE ") && $0.contains(AomiPath.secrets) }, "secrets calls are among the requests played")
        }
    }
}
