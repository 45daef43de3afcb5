import ArgumentParser
import Foundation
import Replayer

/// `aomi-archive verify`: replays recorded sessions in-process and reports every difference.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay recorded sessions and compare every answer with the recording.",
        discussion: """
            Starts a replay on a free loopback port, re-issues every recorded request of the \
            selected sessions in recorded order (updates streams included), and compares status, \
            recorded header fields, body bytes (and the payload digest recorded when the client \
            received them) and SSE events in order. Prints each difference with its request; \
            exit status 0 only when there are none. With --fresh-ids every request goes out with \
            new session ids, client_ids, transaction hashes and signatures, as a real re-run of \
            the client sends them, and the answers must be the recorded ones with those ids replaced.
            """
    )

    @OptionGroup var source: ReplaySource

    @Flag(help: "Re-issue the requests with new session ids, client_ids, transaction hashes and signatures (what a real re-run sends).")
    var freshIds = false

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() async throws {
        let (paths, checkout) = try await source.resolve(command: "verify")
        defer { checkout?.release() }
        let archive = try source.load(paths: paths)
        let report = try await ReplayVerifier(archive: archive, freshIdentifiers: freshIds).run()
        if json {
            JSONLinesWriter().write(report)
        } else {
            for difference in report.differences { print(difference) }
            print(report.summary)
        }
        if !report.passed { throw ExitCode(1) }
    }
}
