import Foundation
import HTTPServing
import Hummingbird
import TestSupport
import Testing

/// What the CLI says when something is wrong: the cause and the argument named, what to do,
/// and the status a script can test.
@Suite struct ErrorMessageTests {
    @Test func aMistypedCommandGetsTheNearestOne() async throws {
        let top = try await CommandRunner.run(["serach", "swap"])
        #expect(top.status == 64)
        #expect(top.standardError.contains("unknown command 'serach'. Did you mean 'search'?"), "\(top.standardError)")
        let nested = try await CommandRunner.run(["sim", "drvie"])
        #expect(nested.status == 64)
        #expect(nested.standardError.contains("Did you mean 'drive'?") && nested.standardError.contains("aomi-archive sim --help"), "\(nested.standardError)")
    }

    @Test func numbersOutOfRangeNameTheFlagAndTheRange() async throws {
        for (arguments, message) in [
            (["search", "swap", "--limit", "0"], "--limit must be 1 to 1000, not 0"),
            (["search", "swap", "--limit", "-5"], "--limit must be 1 to 1000, not -5"),
            (["sim", "drive", "--target", "http://127.0.0.1:1", "--wallets", "0"], "--wallets must be 1 to 100000, not 0"),
            (["rerun", "--wallet", "0x" + String(repeating: "1", count: 40), "--upstream", "http://127.0.0.1:1", "--concurrency", "-1"], "--concurrency must be 1 to 256, not -1"),
        ] {
            let result = try await CommandRunner.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
            #expect(!result.standardError.contains("Missing value"), "a negative number is a value, not an option")
        }
    }

    /// A bad argument found once the command runs prints that command's usage, not the
    /// top-level one.
    @Test func aSubcommandsBadArgumentPrintsItsOwnUsage() async throws {
        let result = try await CommandRunner.run(["crawl", "--upstream", "http://127.0.0.1:1", "--wallet", "0x12"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--wallet 0x12 is not a wallet address"), "\(result.standardError)")
        #expect(result.standardError.contains("Usage: aomi-archive crawl --upstream"), "\(result.standardError)")
        #expect(!result.standardError.contains("<subcommand>"))
    }

    @Test func aListenAddressOutOfRangeNamesTheFlag() async throws {
        let result = try await CommandRunner.run(["serve", "--archives", TemporaryDirectory.path("aomi-listen"), "--listen", "127.0.0.1:80801"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--listen 127.0.0.1:80801: the port must be a number from 0 to 65535"), "\(result.standardError)")
    }

    /// A port another server holds: the address is named with what to do, for every server.
    @Test func aPortInUseNamesTheAddressAndSuggestsListen() async throws {
        let holder = try await ApplicationServer.start(router: Router())
        let root = TemporaryDirectory.path("aomi-port")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let address = "127.0.0.1:\(holder.port)"
        for arguments in [
            ["serve", "--archives", root, "--listen", address], ["sim", "serve", "--listen", address],
            ["record", "--upstream", "http://127.0.0.1:1", "--archives", root, "--listen", address],
        ] {
            let result = try await CommandRunner.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.standardError.contains("cannot listen on \(address): the address is already in use"), "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains("--listen"), "\(result.standardError)")
            #expect(!result.standardError.contains("errno"), "no raw socket error: \(result.standardError)")
        }
        await holder.stop()
    }

    /// Nothing listening at the target: said at once, naming the URL, not a socket error after retries.
    @Test func anUnreachableTargetIsNamed() async throws {
        let stopped = try RefusingPort()
        let url = stopped.baseURL
        let result = try await CommandRunner.run(["sim", "drive", "--target", url])
        #expect(result.status == 1)
        #expect(result.standardError.contains("--target \(url): nothing listens at 127.0.0.1:\(stopped.port) (connection refused)"), "\(result.standardError)")
        #expect(!result.standardError.contains("errno"))
        let root = TemporaryDirectory.path("aomi-crawl-refused")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let crawl = try await CommandRunner.run(["crawl", "--upstream", url, "--wallet", "0x" + String(repeating: "1", count: 40), "--archives", root])
        #expect(crawl.status == 1)
        #expect(crawl.standardError.contains("--upstream \(url): nothing listens at"), "\(crawl.standardError)")
        withExtendedLifetime(stopped) {}
    }
}
