import AomiAPI
import AomiArchive
import AomiClient
import AsyncHTTPClient
import Conversation
import Foundation
import HTTPServing
import Logging
import NIOCore
import Recorder
import TLSSupport

/// Reruns recorded conversations against a backend: through a recorder of its own (so the
/// rerun is archived like any traffic, each session marked `Aomi-Rerun-Of` its original), a
/// few sessions at once, then reads the rerun back from its records and compares it with the
/// original, turn by turn.
public struct Rerunner: Sendable {
    public let configuration: RerunConfiguration
    let logger: Logger

    public init(configuration: RerunConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Reruns every conversation `configuration.repeats` times. Cancelling the task stops the
    /// reruns under way; what ran is still recorded, read back and reported (`interrupted`).
    public func run(
        _ conversations: [RecordedConversation], progress: @escaping @Sendable (RerunProgress) -> Void = { _ in }
    ) async throws(RerunError)
        -> RerunReport
    {
        try await checkUpstream()
        let marks = RerunMarks()
        let recording = try await RerunRecording.start(configuration: configuration, marks: marks, logger: logger)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 4 * configuration.concurrency + 8)
        clientConfiguration.decompression = .disabled
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        let http = ClientHTTP(
            client: client, target: recording.baseURL, appKey: appKey(for: conversations), counter: RequestCounter(), timeout: configuration.requestTimeout)
        let jobs = conversations.flatMap { conversation in (0..<configuration.repeats).map { _ in (conversation, UUID().uuidString.lowercased()) } }
        let outcomes = await runJobs(jobs, http: http, marks: marks, progress: progress)
        await Self.shutDown(client)
        let interrupted = Task.isCancelled || outcomes.count < jobs.count
        let reruns = try await recording.finish()
        return report(jobs: jobs, outcomes: outcomes, reruns: reruns, conversations: conversations, interrupted: interrupted)
    }

    /// The App key header, when the originals sent one and `--secret` gives its value.
    private func appKey(for conversations: [RecordedConversation]) -> String? {
        let headers = Set(conversations.flatMap(\.secretHeaders).map { $0.lowercased() })
        return [AomiHeader.apiKey, AomiHeader.appKey].lazy.filter { headers.contains($0.lowercased()) }.compactMap(configuration.secret(named:)).first
    }

    private func runJobs(
        _ jobs: [(RecordedConversation, String)], http: ClientHTTP, marks: RerunMarks, progress: @escaping @Sendable (RerunProgress) -> Void
    ) async -> [String: ConversationRunner.Outcome] {
        await withTaskGroup(of: (String, ConversationRunner.Outcome).self) { group in
            var next = 0
            func addNext() {
                guard next < jobs.count, !Task.isCancelled else { return }
                let (conversation, session) = jobs[next]
                next += 1
                marks.mark(session, rerunOf: conversation.sessionID)
                let runner = ConversationRunner(conversation: conversation, configuration: configuration, http: http, session: session)
                group.addTask { (session, await runner.run()) }
            }
            for _ in 0..<configuration.concurrency { addNext() }
            var outcomes: [String: ConversationRunner.Outcome] = [:]
            for await (session, outcome) in group {
                outcomes[session] = outcome
                let original = jobs.first { $0.1 == session }?.0.sessionID ?? ""
                progress(RerunProgress(done: outcomes.count, total: jobs.count, original: original, verdict: outcome.failures.isEmpty ? nil : .failed))
                addNext()
            }
            return outcomes
        }
    }

    private func report(
        jobs: [(RecordedConversation, String)], outcomes: [String: ConversationRunner.Outcome], reruns: [String: RecordedConversation],
        conversations: [RecordedConversation], interrupted: Bool
    ) -> RerunReport {
        let sessions = conversations.map { original in
            let comparisons = jobs.filter { $0.0.sessionID == original.sessionID && outcomes[$0.1] != nil }.map { _, session in
                let outcome = outcomes[session] ?? ConversationRunner.Outcome()
                return ConversationComparison(original: original, rerun: reruns[session], failures: outcome.failures, notes: outcome.notes)
            }
            var reproductions: [String: Int] = [:]
            for comparison in comparisons {
                for key in comparison.differenceKeys { reproductions[key, default: 0] += 1 }
            }
            return RerunReport.SessionResult(
                original: original.sessionID, wallet: original.wallet, turns: original.turns.count, reruns: comparisons, reproductions: reproductions)
        }
        return RerunReport(
            upstream: configuration.upstream, recordedInto: configuration.recordRoot, repeats: configuration.repeats, sessions: sessions, interrupted: interrupted)
    }

    /// One request to the backend before anything is recorded: a refused connection, a TLS
    /// failure (in `record`'s words) or a timeout stops the rerun before it starts.
    private func checkUpstream() async throws(RerunError) {
        do {
            try await BackendReachability.check(configuration.upstream, option: "--upstream")
        } catch {
            throw .upstreamUnreachable(configuration.upstream, cause: error.message)
        }
        let client = RecordingProxy.makeUpstreamClient(tls: configuration.upstreamTLS, connectTimeout: .seconds(10))
        do {
            let response = try await client.execute(HTTPClientRequest(url: configuration.upstream + AomiPath.models), timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            await Self.shutDown(client)
        } catch {
            await Self.shutDown(client)
            var tls: String?
            if let address = URL(string: configuration.upstream), let host = address.host {
                tls = await TLSFailure.explain(error, host: host, port: address.port ?? (address.scheme == "https" ? 443 : 80), tls: configuration.upstreamTLS)
            }
            throw .upstreamUnreachable(configuration.upstream, cause: tls.map { "TLS failed: \($0)" } ?? "\(error)")
        }
    }
}

extension Rerunner {
    /// Shuts a client down even in a cancelled task (Ctrl-C): a client left running traps when
    /// it is released.
    static func shutDown(_ client: HTTPClient) async {
        await Task.detached { try? await client.shutdown() }.value
    }
}
