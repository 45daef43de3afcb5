import AomiArchive
import AomiSimulator
import ArchiveIndex
import ArgumentParser
import Conversation
import Foundation
import HTTPServing
import Recorder
import Replayer
import Rerun
import WARC

/// `aomi-archive demo`: the whole loop on the built-in stand-in backend, for a first look.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole loop against the built-in stand-in backend and print what happened.",
        discussion: """
            Starts the simulator and the recorder in front of it on free loopback ports, drives \
            two wallets × two threads × three messages through the recorder (tools, a title over \
            SSE, a wallet request), stops the recorder, checks the archives, indexes them and runs \
            two searches, starts a replay of the archives, drives one recorded thread again \
            against it with a fresh session id and checks it sees the same messages, title and \
            events, runs verify, then reruns one wallet's conversations against the same backend \
            (every turn the same) and against one that proposes other amounts (the differences \
            shown). Exit status 1 if a step failed.
            """
    )

    @Option(help: "Folder for the archives and the index (default: a new temporary folder).")
    var dir: String?

    func run() async throws {
        let root = dir ?? (NSTemporaryDirectory() + "aomi-demo-\(UUID().uuidString.prefix(8))")
        var failures: [String] = []
        func step(_ text: String) { print("• " + text) }

        let sim = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router())
        step("simulator serving the Aomi API on \(sim.baseURL)")
        let key = try RedactionKey.loadOrCreate(root: root)
        let archive = WalletArchive(settings: .init(root: root, recorderID: "demo", info: ArchiveInfo(upstream: sim.baseURL, redactionKeyID: key.id)))
        let proxy = try await RecordingProxy(
            configuration: RecorderConfiguration(upstream: sim.baseURL), archive: archive,
            redactor: Redactor(key: key), logger: ApplicationServer.quietLogger()
        ).start()
        step("recorder on \(proxy.baseURL), archiving into \(root)")

        let report = try await AomiDriver(configuration: .fast(target: proxy.baseURL, wallets: 2, threads: 2, messages: 3, concurrency: 4)).run()
        failures += report.errors
        for thread in report.threads {
            step(
                "\(thread.wallet) \"\(thread.title ?? "?")\": \(thread.messages.count) messages, \(thread.events.count) events, "
                    + "wallet: \(thread.walletOutcomes.isEmpty ? "none" : thread.walletOutcomes.joined(separator: "; "))")
        }
        let outcomes = report.threads.flatMap(\.walletOutcomes)
        if !outcomes.contains(where: { $0.hasSuffix(": signed") }) || !outcomes.contains(where: { $0.hasSuffix(": rejected") }) {
            failures.append("the drive did not both sign and reject a wallet request: \(outcomes)")
        }
        await proxy.stop()
        let files = try await archive.close()
        var records = 0
        for file in files {
            let (stored, damage) = try WARCFileReader.readAll(path: file)
            records += stored.count
            if !damage.isEmpty { failures.append("\(file): \(damage)") }
        }
        step("recorded \(report.requests) requests as \(records) WARC records in \(files.count) files (\(await archive.revisits) revisits)")

        let databasePath = (root as NSString).appendingPathComponent("index.sqlite")
        let indexed = try ArchiveIndexer(database: try ArchiveDatabase(path: databasePath), root: root).run()
        failures += indexed.damage.map(\.description)
        step("indexed \(indexed.recordsLoaded) records, \(indexed.messagesWritten) messages, \(indexed.eventsWritten) events into \(databasePath)")
        let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(path: databasePath))
        for text in ["price", "swap AND confirm"] {
            let hits = try queries.search(SearchQuery(text: text, limit: 3))
            if hits.isEmpty { failures.append("search \(text) found nothing") }
            step("search \"\(text)\": \(hits.count) hits" + (hits.first.map { ", best: \($0.sender) in \"\($0.title ?? "")\": \($0.snippet)" } ?? ""))
        }

        failures += try await replayAndVerify(root: root, recorded: report, step: step)
        failures += try await rerun(root: root, wallet: report.threads.first?.wallet, against: sim, step: step)
        await sim.stop()

        let wallet = report.threads.first?.wallet ?? "0x…"
        let run = Invocation.command
        print(
            """

            Archives: \(root)
            Index:    \(databasePath)
            Try next:
              \(run) inspect \(root)/\(wallet)/*.warc.gz
              \(run) threads --wallet \(wallet) --archives \(root)
              \(run) search "staking" --archives \(root)
              \(run) show \(report.threads.first?.sessionID ?? "SESSION") --archives \(root)
              \(run) replay --archives \(root)      (then: \(run) sim drive --target http://127.0.0.1:8788 --wallets 2 --threads 2 --poll 50ms)
              \(run) verify --archives \(root)
              \(run) rerun --wallet \(wallet) --archives \(root) --upstream URL      (a backend: sim, staging, a local build)
              \(run) serve --archives \(root)       (then open http://127.0.0.1:8790)
            """)
        if !failures.isEmpty {
            for failure in failures { FileHandle.standardError.write(Data("demo step failed: \(failure)\n".utf8)) }
            throw ExitCode(1)
        }
    }

    /// Reruns a wallet's recorded conversations against the same simulator (every turn must be
    /// the same) and against one that proposes ten times the amounts (a wallet request must
    /// change), and prints both reports.
    private func rerun(root: String, wallet: String?, against sim: ApplicationServer, step: (String) -> Void) async throws -> [String] {
        var failures: [String] = []
        let conversations = try RecordedConversation.load(files: try RecordedArchive.archiveFiles(under: root), selection: SessionSelection(wallet: wallet))
        let variant = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast(variant: .amounts))).router())
        defer { Task { await variant.stop() } }
        for (upstream, label) in [(sim.baseURL, "the same backend"), (variant.baseURL, "a backend that proposes other amounts (sim --variant amounts)")] {
            let configuration = RerunConfiguration(
                upstream: upstream, recordRoot: root, secrets: ["API_KEY": DriverConfiguration.seededSecret(1)], pollInterval: .milliseconds(10),
                reconnectDelay: .milliseconds(20), requestTimeout: .seconds(120))
            let report = try await Rerunner(configuration: configuration, logger: ApplicationServer.quietLogger()).run(conversations)
            let tally = report.tally
            step("rerun of \(conversations.count) sessions against \(label): \(tally.same) same, \(tally.changed) changed, \(tally.failed) failed")
            for line in report.text.split(separator: "\n").prefix(while: { !$0.isEmpty }) { print("    " + line) }
            if upstream == sim.baseURL, report.allTurns.contains(where: { $0.verdict != .same }) {
                failures.append("a rerun against the same backend changed")
            }
            if upstream == variant.baseURL, !report.hasStructuralChange { failures.append("the rerun against sim --variant amounts saw no change") }
        }
        let databasePath = (root as NSString).appendingPathComponent("index.sqlite")
        _ = try ArchiveIndexer(database: try ArchiveDatabase(path: databasePath), root: root).run()
        if let first = conversations.first {
            let links = try ArchiveQueries(database: try ArchiveDatabase.openExisting(path: databasePath)).rerunLinks(of: first.sessionID)
            if links.reruns.count != 2 { failures.append("the index links \(links.reruns.count) reruns to \(first.sessionID), not 2") }
            step("indexed again: `show \(first.sessionID)` names its reruns \(links.reruns.joined(separator: ", "))")
        }
        return failures
    }

    /// Replays the archives, drives the first recorded thread with a signed wallet request again,
    /// as a new run of the real client would (fresh session id, client_id and transaction hash),
    /// and compares what it sees with the recording; then verifies every session, with the
    /// recorded ids and with fresh ones.
    private func replayAndVerify(root: String, recorded: DriverReport, step: (String) -> Void) async throws -> [String] {
        var failures: [String] = []
        let archive = try RecordedArchive.load(files: try RecordedArchive.archiveFiles(under: root))
        let server = try await ReplayServer(engine: ReplayEngine(archive: archive, tokens: SecretTokens.load(root: root), logger: ApplicationServer.quietLogger())).start()
        step("replay of \(archive.sessions.count) sessions on \(server.baseURL)")
        let signed = recorded.threads.first { $0.walletOutcomes.contains { $0.hasSuffix(": signed") } } ?? recorded.threads[0]
        var wallets: [String] = []
        for thread in recorded.threads where !wallets.contains(thread.wallet) { wallets.append(thread.wallet) }
        let walletIndex = wallets.firstIndex(of: signed.wallet) ?? 0
        let replayed = try await AomiDriver(
            configuration: .fast(
                target: server.baseURL, wallets: walletIndex + 1, threads: signed.thread + 1, messages: 3,
                concurrency: 1)
        ).run()
        await server.stop()
        failures += replayed.errors
        if let again = replayed.threads.first(where: { $0.wallet == signed.wallet && $0.thread == signed.thread }) {
            let same = DriverReport(threads: [again], requests: 0).transcript == DriverReport(threads: [signed], requests: 0).transcript
            if !same { failures.append("the replayed thread differs from the recording") }
            step(
                "replayed \"\(again.title ?? "?")\" as session \(again.sessionID) with a new client_id and new hashes: \(again.messages.count) messages, "
                    + "\(again.events.count) events, wallet: \(again.walletOutcomes.joined(separator: "; ")): \(same ? "the same as recorded" : "NOT the same as recorded")")
        }
        let verified = try await ReplayVerifier(archive: archive).run()
        failures += verified.differences
        step(verified.summary)
        let fresh = try await ReplayVerifier(archive: archive, freshIdentifiers: true).run()
        failures += fresh.differences
        step("with fresh ids (what a real re-run sends): " + fresh.summary)
        return failures
    }
}
