import AomiAPI
import AomiArchive
import ArchiveIndex
import ArgumentParser
import Conversation
import Foundation
import Recorder
import Rerun

/// `aomi-archive rerun`: recorded conversations sent to a live backend again, recorded, and
/// compared turn by turn.
struct RerunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Send recorded conversations to a backend again, record them, and show what changed, turn by turn.",
        discussion: """
            Each session's user side goes again as the real client sends it: a new session id and \
            client_id, /api/updates open, each message once the previous turn ended, /api/state \
            polled, wallet requests answered with fresh hashes and signatures. The rerun is \
            recorded into the archive root (or --record DIR), marked Aomi-Rerun-Of its original. \
            Exit status: 0 when no turn changed what the agent did, 1 when tools or wallet \
            requests changed or a turn failed, 2 on bad arguments or an unreachable upstream.
            """)

    @Argument(help: "Recorded session ids.")
    var sessions: [String] = []

    @Option(help: "Every recorded session of this wallet.")
    var wallet: String?

    @Option(help: "The sessions whose messages match this search (the index's query language).")
    var query: String?

    @Option(help: "Base URL of the backend to send them to (https://staging.aomi.dev, http://127.0.0.1:8080).")
    var upstream: String

    @OptionGroup var upstreamTLS: UpstreamTLSOptions

    @OptionGroup var location: IndexLocation

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Reruns of each session (agents are not deterministic): how many reproduce each difference.")
    var repeats = 1

    @Option(parsing: .unconditional, help: "Sessions rerun at once.")
    var concurrency = 4

    @Option(help: "Wallet requests: recorded (as the user answered; rejected when the original never did), sign, or reject.")
    var answer = RerunConfiguration.AnswerPolicy.recorded

    @Option(help: "A recorded secret's value from an environment variable, NAME=ENVVAR (repeatable); NAME is a secret or a header such as X-API-Key.")
    var secret: [String] = []

    @Option(help: "Longest wait for one turn to end.")
    var turnTimeout = DurationArgument("2m")

    @Option(help: "Time between /api/state polls (the real client: 500ms).")
    var pollInterval = DurationArgument("500ms")

    @Option(help: "Archive root the rerun is recorded into (default: the --archives root).")
    var record: String?

    @Flag(help: "Print the whole report as JSON.")
    var json = false

    @OptionGroup var log: LogOptions

    func validate() throws {
        let selectors = (sessions.isEmpty ? 0 : 1) + (wallet == nil ? 0 : 1) + (query == nil ? 0 : 1)
        guard selectors == 1 else { throw ValidationError("name what to rerun: session ids, --wallet W or --query Q (one of them)") }
        if let wallet, WalletAddress(wallet) == nil { throw ValidationError("--wallet must be a wallet address (0x and 40 hex digits), not \(wallet)") }
        try ArgumentRange.check(repeats, "--repeat", 1...1000)
        try ArgumentRange.check(concurrency, "--concurrency", 1...256)
        guard !turnTimeout.isZero, !pollInterval.isZero else { throw ValidationError("--turn-timeout and --poll-interval must be positive") }
        do {
            try RecorderConfiguration.checkUpstream(upstream)
        } catch {
            throw ValidationError("--upstream: \(error)")
        }
        _ = try secretValues()
    }

    /// `--secret NAME=ENVVAR` read from the environment; a missing variable is an error.
    private func secretValues() throws -> [String: String] {
        var values: [String: String] = [:]
        for pair in secret {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ValidationError("--secret takes NAME=ENVVAR, not \(pair)") }
            guard let value = ProcessInfo.processInfo.environment[parts[1]], !value.isEmpty else {
                throw ValidationError("--secret \(parts[0]): the environment variable \(parts[1]) is not set")
            }
            values[parts[0]] = value
        }
        return values
    }

    func run() async throws {
        let logger = log.logger(label: "aomi-archive.rerun")
        let conversations: [RecordedConversation]
        do {
            conversations = try selectConversations()
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let configuration = RerunConfiguration(
            upstream: upstream, upstreamTLS: try upstreamTLS.settings(), recordRoot: record ?? location.archives, answer: answer,
            secrets: try secretValues(), repeats: repeats, concurrency: concurrency, turnTimeout: turnTimeout.duration, pollInterval: pollInterval.duration)
        let progress = RerunProgressBar(enabled: !json && isatty(STDERR_FILENO) == 1)
        let shutdown = ShutdownSignal.catching()
        let rerun = Task { try await Rerunner(configuration: configuration, logger: logger).run(conversations) { progress.show($0) } }
        let interrupter = Task {
            await shutdown.wait()
            rerun.cancel()
        }
        let report: RerunReport
        do {
            report = try await rerun.value
        } catch {
            interrupter.cancel()
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        interrupter.cancel()
        progress.finish()
        if json {
            let encoder = JSONCoding.encoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
        } else {
            print(report.text)
        }
        if report.hasStructuralChange || report.interrupted { throw ExitCode(1) }
    }

    /// The originals asked for, read from the archive root.
    private func selectConversations() throws -> [RecordedConversation] {
        var ids = sessions
        if let query {
            let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(location: location.database))
            ids = Array(Set(try queries.search(SearchQuery(text: query, limit: 10_000)).map(\.session))).sorted()
            guard !ids.isEmpty else { throw RerunError.nothingSelected("the search \(query)") }
        }
        let files = try RecordedArchive.archiveFiles(under: location.archives)
        let recorded = try RecordedConversation.load(files: files, selection: SessionSelection(wallet: wallet, sessions: ids))
        let found = Set(recorded.map(\.sessionID))
        let missing = ids.filter { !found.contains($0) }
        if !missing.isEmpty { throw RerunError.unknownSessions(missing, root: location.archives) }
        // Asked by name, a session is rerun whatever it is; a wallet's reruns are not rerun again.
        let conversations = ids.isEmpty ? recorded.filter { $0.rerunOf == nil } : recorded
        if conversations.isEmpty { throw RerunError.nothingSelected(wallet.map { "the wallet \($0)" } ?? "the selection") }
        let silent = conversations.filter { $0.userTurns.isEmpty }.map(\.sessionID)
        if silent.count == conversations.count { throw RerunError.noUserMessage(silent) }
        if !silent.isEmpty {
            FileHandle.standardError.write(Data("skipped \(silent.count) sessions with no user message: \(silent.joined(separator: ", "))\n".utf8))
        }
        return conversations.filter { !$0.userTurns.isEmpty }
    }
}

extension RerunConfiguration.AnswerPolicy: ExpressibleByArgument {}

/// A progress bar on stderr while sessions rerun, drawn only on a terminal.
struct RerunProgressBar: Sendable {
    let enabled: Bool

    func show(_ progress: RerunProgress) {
        guard enabled, progress.total > 1 else { return }
        let width = 30
        let filled = progress.done * width / max(1, progress.total)
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(progress.done)/\(progress.total) sessions".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
