import Foundation
import TestSupport
import Testing

/// Bad arguments are refused with a message naming them, before anything is created.
@Suite struct ArgumentCheckTests {
    private func missingFolder() -> String {
        TemporaryDirectory.path("aomi-args")
    }

    @Test func recordChecksItsUpstreamBeforeCreatingAnything() async throws {
        let root = missingFolder()
        let result = try await CommandRunner.run(["record", "--upstream", "notaurl", "--archives", root])
        #expect(result.status != 0)
        #expect(result.standardError.contains("--upstream") && result.standardError.contains("http://"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: root), "no key file, no folder")
        let level = try await CommandRunner.run(["record", "--upstream", "http://127.0.0.1:9", "--archives", root, "--gzip-level", "13"])
        #expect(level.status != 0 && level.standardError.contains("--gzip-level"))
        let logLevel = try await CommandRunner.run(["record", "--upstream", "http://127.0.0.1:9", "--archives", root, "--log-level", "loud"])
        #expect(logLevel.status != 0 && logLevel.standardError.contains("--log-level"))
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    /// `prune` takes an age or an instant, one of them, and names what it could not read.
    @Test func pruneTakesOneOfAnAgeAndAnInstant() async throws {
        let root = TemporaryDirectory.path("aomi-args-prune")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for arguments in [[], ["--older-than", "90d", "--before", "2026-11-01"]] {
            let result = try await CommandRunner.run(["prune", "--archives", root] + arguments)
            #expect(result.status != 0 && result.standardError.contains("give one of --older-than"), "\(arguments): \(result.standardError)")
        }
        let unreadable = try await CommandRunner.run(["prune", "--archives", root, "--before", "last tuesday"])
        #expect(unreadable.status != 0 && unreadable.standardError.contains("--before last tuesday is not a date"), "\(unreadable.standardError)")
        let dryRun = try await CommandRunner.run(["prune", "--archives", root, "--before", "2026-11-01T12:00:00Z", "--dry-run"])
        #expect(dryRun.status == 0 && dryRun.standardOutput.contains("older than 2026-11-01T12:00:00Z"), "\(dryRun.standardOutput)\(dryRun.standardError)")
    }

    @Test func indexNamesAMissingArchiveFolder() async throws {
        let root = missingFolder()
        let result = try await CommandRunner.run(["index", "--archives", root])
        #expect(result.status != 0)
        #expect(result.standardError.contains("\(root) does not exist"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    /// A `postgres://` URL is a PostgreSQL index, never a SQLite file path; one that cannot be
    /// reached is an error naming it, its password hidden.
    @Test func anUnreachablePostgresIsAClearErrorWithItsPasswordHidden() async throws {
        let root = TemporaryDirectory.path("aomi-args-pg")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for command in [["index"], ["search", "swap"], ["threads", "--wallet", "0x" + String(repeating: "1", count: 40)], ["show", "some-session"]] {
            let result = try await CommandRunner.run(command + ["--archives", root, "--db", "postgres://aomi:hunter2@127.0.0.1:1/index"])
            #expect(result.status != 0)
            #expect(result.standardError.contains("postgres://aomi:***@127.0.0.1:1/index: cannot connect"), "\(result.standardError)")
            #expect(!result.standardError.contains("hunter2"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty, "no SQLite file made")
        #expect(!FileManager.default.fileExists(atPath: "postgres:"), "no SQLite file named after the URL")
    }

    @Test func filtersThatCannotMatchAreErrorsNotEmptyResults() async throws {
        let threads = try await CommandRunner.run(["threads", "--wallet", "notawallet", "--archives", missingFolder()])
        #expect(threads.status != 0 && threads.standardError.contains("wallet address"), "\(threads.standardError)")
        let search = try await CommandRunner.run(["search", "swap", "--sender", "bot", "--archives", missingFolder()])
        #expect(search.status != 0 && search.standardError.contains("user, agent or system"), "\(search.standardError)")
    }

    @Test func serveBeyondLoopbackNeedsAToken() async throws {
        let root = NSTemporaryDirectory()
        let open = try await CommandRunner.run(["serve", "--archives", root, "--listen", "0.0.0.0:0"])
        #expect(open.status != 0 && open.standardError.contains("--token"), "\(open.standardError)")
        let missing = try await CommandRunner.run(["serve", "--archives", missingFolder()])
        #expect(missing.status != 0 && missing.standardError.contains("is not a folder"), "\(missing.standardError)")
    }

    @Test func numbersOutOfRangeAreRefusedNotATrap() async throws {
        let root = NSTemporaryDirectory()
        // These trapped converting to 64-bit milliseconds (exit 132).
        for duration in ["99999999999999d", "1e300s", "3651d"] {
            let serve = try await CommandRunner.run(["serve", "--archives", root, "--listen", "127.0.0.1:0", "--refresh", duration])
            #expect(serve.status == 64 && serve.standardError.contains("is invalid for '--refresh"), "\(duration): \(serve.status) \(serve.standardError)")
        }
        let record = try await CommandRunner.run(["record", "--upstream", "http://127.0.0.1:9", "--upstream-timeout", "1e300s", "--archives", root])
        #expect(record.status == 64 && record.standardError.contains("--upstream-timeout"), "\(record.standardError)")
        for speed in ["1e-300", "1e300", "0"] {
            let replay = try await CommandRunner.run(["replay", "--archives", root, "--speed", speed])
            #expect(replay.status == 64 && replay.standardError.contains("--speed must be 0.01 to 1000"), "\(speed): \(replay.standardError)")
        }
    }

    @Test func aTokenShorterThan16CharactersIsRefusedFromTheFlagAndTheEnvironment() async throws {
        let root = NSTemporaryDirectory()
        for token in ["", " ", "                ", "short-token-15ch"].map({ String($0.prefix(15)) }) + ["                "] {
            let flag = try await CommandRunner.run(["serve", "--archives", root, "--listen", "0.0.0.0:0", "--token", token])
            #expect(flag.status != 0 && flag.standardError.contains("--token must be at least 16 characters"), "\(token.debugDescription): \(flag.standardError)")
            let environment = try await CommandRunner.run(["serve", "--archives", root, "--listen", "127.0.0.1:0"], environment: ["AOMI_ARCHIVE_TOKEN": token])
            #expect(
                environment.status != 0 && environment.standardError.contains("AOMI_ARCHIVE_TOKEN must be at least 16 characters"),
                "\(token.debugDescription): \(environment.standardError)")
        }
    }

    @Test func inspectOfAMissingFilePrintsNothingOnStandardOutput() async throws {
        let path = missingFolder() + ".warc.gz"
        let result = try await CommandRunner.run(["inspect", path])
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty, "\(result.standardOutput)")
        #expect(result.standardError.contains("\(path) does not exist"))
    }
}
