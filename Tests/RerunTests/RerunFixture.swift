import AomiAPI
import AomiArchive
import AomiSimulator
import Conversation
import Foundation
import HTTPServing
import Logging
import Recorder
import Rerun
import TLSSupport
import TestSupport

/// Conversations driven through the real recorder into a fresh root against a simulator that
/// keeps running, read back as the originals a rerun sends again.
struct RerunFixture {
    let root: String
    let sim: ApplicationServer
    let conversations: [RecordedConversation]
    let report: DriverReport

    /// Drives `wallets` × `threads` conversations of `messages` messages through a recorder in
    /// front of a simulator of `simulator`'s configuration.
    static func recorded(
        wallets: Int = 2, threads: Int = 3, messages: Int = 4, simulator: SimulatorConfiguration = .fast(), label: String = "rerun"
    ) async throws -> RerunFixture {
        let sim = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: simulator)).router())
        let recording = try await RecordingFixture.start(upstream: sim.baseURL, recorderID: label)
        let report = try await recording.drive(wallets: wallets, threads: threads, messages: messages)
        try await recording.stop()
        return RerunFixture(root: recording.root, sim: sim, conversations: try Self.conversations(in: recording.root), report: report)
    }

    /// The sessions of `root` read as conversations, the secrets calls found by `client_id`;
    /// reruns left out.
    static func conversations(in root: String, includingReruns: Bool = false) throws -> [RecordedConversation] {
        try RecordedConversation.load(files: try RecordedArchive.archiveFiles(under: root), selection: SessionSelection()).filter {
            includingReruns || $0.rerunOf == nil
        }
    }

    /// A simulator of `configuration` to rerun against (a variant, say).
    static func simulator(_ configuration: SimulatorConfiguration = .fast(), tls: ListenerTLS? = nil) async throws -> ApplicationServer {
        try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: configuration)).router(), tls: tls?.configuration)
    }

    /// Reruns `conversations` (all by default) against `upstream`, recorded into this root.
    func rerun(
        against upstream: String? = nil, conversations selected: [RecordedConversation]? = nil, answer: RerunConfiguration.AnswerPolicy = .recorded,
        secrets: [String: String] = ["API_KEY": DriverConfiguration.seededSecret(1)], repeats: Int = 1, tls: UpstreamTLS = .systemTrust,
        turnTimeout: Duration = .seconds(120), pollInterval: Duration = .milliseconds(10), record: String? = nil
    ) async throws -> RerunReport {
        let configuration = RerunConfiguration(
            upstream: upstream ?? sim.baseURL, upstreamTLS: tls, recordRoot: record ?? root, answer: answer, secrets: secrets, repeats: repeats,
            concurrency: 4, turnTimeout: turnTimeout, pollInterval: pollInterval, reconnectDelay: .milliseconds(20), requestTimeout: .seconds(120))
        return try await Rerunner(configuration: configuration, logger: ApplicationServer.quietLogger()).run(selected ?? conversations)
    }

    func remove() async {
        await sim.stop()
        try? FileManager.default.removeItem(atPath: root)
    }
}
