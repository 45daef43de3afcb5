import Foundation
import TestSupport
import Testing

/// `aomi-archive demo`, the README's first command, run as a user runs it.
@Suite struct DemoCommandTests {
    @Test(.timeLimit(.minutes(10))) func theDemoRecordsIndexesSearchesReplaysVerifiesAndSaysWhere() async throws {
        let folder = TemporaryDirectory.path("aomi-demo-test")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // As a shell runs the built binary: `_` is the program's path, not `swift`.
        let result = try await CommandRunner.run(["demo", "--dir", folder], environment: ["_": CommandRunner.executable])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(!result.standardOutput.contains("swift run"), "the suggestions name the binary that ran, not swift run")
        #expect(result.standardOutput.contains("\n  \(CommandRunner.executable) search \"staking\" --archives \(folder)"))
        #expect(result.standardOutput.contains("Archives: \(folder)"))
        #expect(result.standardOutput.contains("search \"price\": 3 hits"))
        #expect(result.standardOutput.contains("the same as recorded"))
        #expect(result.standardOutput.contains("verify: 5 sessions"))
        #expect(result.standardOutput.contains("no differences"))
        #expect(result.standardOutput.contains("with fresh ids (what a real re-run sends): verify: 5 sessions"))
        #expect(result.standardOutput.contains(": signed") && result.standardOutput.contains(": rejected"), "the demo signs one swap and rejects another")
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder)
        let folders = Set(files.filter { $0.hasSuffix(".warc.gz") }.map { ($0 as NSString).deletingLastPathComponent })
        #expect(folders.count == 3 && folders.contains("_unbound"), "a folder per wallet, and _unbound for the secrets registered before a session: \(folders)")
        #expect(files.contains("index.sqlite"))
        let show = try await CommandRunner.run([
            "show", "--archives", folder,
            String(try #require(result.standardOutput.split(separator: "show ").last?.split(separator: " ").first)),
        ])
        #expect(show.status == 0, "\(show.standardError)")
        #expect(show.standardOutput.contains("user: "))

        #expect(result.standardOutput.contains("against the same backend: 2 same, 0 changed, 0 failed"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("(sim --variant amounts): 0 same, 2 changed, 0 failed"))
        #expect(result.standardOutput.contains("wallet request 1 value: ") && result.standardOutput.contains("{+"))
        let linked = try #require(result.standardOutput.firstMatch(of: /`show ([0-9a-f-]+)` names its reruns/)?.output.1)
        let original = try await CommandRunner.run(["show", "--archives", folder, String(linked)])
        #expect(original.standardOutput.contains("rerun as "), "\(original.standardOutput.prefix(300))")
    }
}
