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
            exit status 0 only when there are none.
            """
    )

    @Argument(help: "Archive files or folders (default: --archives).")
    var files: [String] = []

    @OptionGroup var location: IndexLocation

    @Option(help: "Verify only this session (repeatable).")
    var session: [String] = []

    @Option(help: "Verify only this wallet's sessions.")
    var wallet: String?

    func run() async throws {
        let selection = ReplaySelection(wallet: wallet, sessions: session)
        let paths = files.isEmpty
            ? try ReplayArchive.archiveFiles(under: location.archives, selection: selection, index: location.databasePath)
            : try files.flatMap { try ReplayArchive.archiveFiles(under: $0) }
        let archive = try ReplayArchive.load(files: paths, selection: selection)
        guard !archive.sessions.isEmpty else { throw ReplayerError.nothingSelected(wallet: wallet, sessions: session, loadedSessions: 0) }
        for problem in archive.problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
        let report = try await ReplayVerifier(archive: archive).run()
        for difference in report.differences { print(difference) }
        print(report.summary)
        if !report.passed { throw ExitCode(1) }
    }
}
