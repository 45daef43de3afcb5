import AomiAPI
import AomiArchive
import AomiSimulator
import Foundation
import Replayer
import TestSupport
import Testing

/// The real client's wallet flow, secrets and thread list against a replay: each system event
/// goes out once, secrets match by name, and a thread just created is listed under the client's id.
@Suite("Wallet flow, secrets and thread lists in replay")
struct WalletFlowReplayTests {
    /// The recording made before the simulator handed each system event out once (every
    /// snapshot repeats them), kept to show that old recordings replay as they did.
    static let repeatedEventsFixture = Repository.root + "/Tests/Fixtures/repeated-events-archive"

    private func copyOfFixture() throws -> String {
        let root = TemporaryDirectory.path("aomi-repeated")
        try FileManager.default.copyItem(atPath: Self.repeatedEventsFixture, toPath: root)
        return root
    }

    private func systemEvents(_ outcome: ReplayOutcome) throws -> [JSONValue] {
        try JSONCoding.decode(SessionSnapshot.self, from: outcome.answer.body).systemEvents
    }

    @Test("a recording with repeated events verifies as before, and a snapshot served past the recorded ones carries no event")
    func oldRecordingsReplayAndRepeatsCarryNoEvent() async throws {
        let root = try copyOfFixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let archive = try RecordedArchive.load(files: try RecordedArchive.archiveFiles(under: root))
        let plain = try await ReplayVerifier(archive: archive).run()
        #expect(plain.summary == "verify: 3 sessions, 137 requests, 14 events replayed: no differences", "\(plain.differences)")
        let fresh = try await ReplayVerifier(archive: archive, freshIdentifiers: true).run()
        #expect(fresh.passed, "\(fresh.differences)")

        let engine = ReplayEngine(archive: archive, tokens: SecretTokens.load(root: root))
        let session = try #require(archive.sessions.first { !$0.id.isEmpty })
        let polls = session.exchanges.filter { $0.request.method == "GET" && $0.request.path == AomiPath.state }
        let last = try #require(polls.last)
        let recordedEvents = try JSONCoding.decode(SessionSnapshot.self, from: last.answer.head.body).systemEvents
        try #require(!recordedEvents.isEmpty, "the old simulator repeated the wallet request in every snapshot")
        for exchange in session.exchanges where !exchange.isUpdates {
            let request = exchange.request
            let outcome = engine.respond(
                to: ReplayRequest(method: request.method, target: request.target, fields: request.fields, body: request.body))
            #expect(outcome.kind == .hit && outcome.answer.body == exchange.answer.head.body, "recorded answers are served as recorded")
        }
        for _ in 0..<3 {
            let request = last.request
            let again = engine.respond(
                to: ReplayRequest(method: request.method, target: request.target, fields: request.fields, body: request.body))
            let events = try systemEvents(again)
            #expect(again.kind == .hit && events.isEmpty)
            var expected = try JSONCoding.decode(JSONValue.self, from: last.answer.head.body).objectValue ?? [:]
            expected["system_events"] = .array([])
            #expect(try JSONCoding.decode(JSONValue.self, from: again.answer.body) == .object(expected), "only the events differ")
        }
    }

    @Test("the driver's wallet flow, with new ids and more polls than recorded, completes against the replay; no request is seen twice")
    func walletFlowWithMorePollsThanRecorded() async throws {
        let recording = try await RecordedReplay.record(wallets: 2, threads: 2, messages: 3, seed: 9)
        defer { recording.remove() }
        let outcomes = recording.recorded.threads.flatMap(\.walletOutcomes)
        for expected in ["wallet_tx_request 1 (", "wallet_eip712_request 1 ("] {
            #expect(outcomes.contains { $0.hasPrefix(expected) }, "\(outcomes)")
        }
        #expect(outcomes.contains { $0.hasSuffix("signed") } && outcomes.contains { $0.hasSuffix("rejected") })
        let (server, engine) = try await recording.serve()
        var configuration = DriverConfiguration.fast(target: server.baseURL, wallets: 2, threads: 2, messages: 3, seed: 9)
        configuration.pollsWhileWalletPending = 7
        let again = try await AomiDriver(configuration: configuration).run()
        await server.stop()
        #expect(again.errors.isEmpty, "\(again.errors)")
        #expect(engine.status()["misses"] == .number(0))
        #expect(again.threads.map(SeenThread.init) == recording.recorded.threads.map(SeenThread.init))
        for thread in again.threads {
            #expect(thread.walletRequests.count == thread.walletOutcomes.count && !thread.walletOutcomes.isEmpty, "\(thread.walletOutcomes)")
        }
    }

    @Test("secrets registered with another value than recorded are answered from the recording, and the value appears nowhere")
    func secretsMatchByName() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 1, messages: 1)
        defer { recording.remove() }
        let engine = ReplayEngine(archive: recording.archive, tokens: SecretTokens.load(root: recording.root))
        let value = "sk-another-" + UUID().uuidString
        let client = UUID().uuidString.lowercased()
        // What the real client sends first, before any session: the recording's session-less secrets call answers it.
        let registered = engine.respond(
            to: ReplayRequest(
                method: "POST", target: AomiPath.secrets, fields: [.init(name: "Content-Type", value: "application/json")],
                body: Array(#"{"client_id":"\#(client)","secrets":{"API_KEY":"\#(value)"}}"#.utf8)))
        #expect(registered.kind == .hit, "\(registered.explanation ?? "")")
        #expect(!String(decoding: registered.answer.body, as: UTF8.self).contains(value) && registered.explanation == nil)
        // Another secret's name is another request: a miss, which shows the token of the value sent.
        let other = engine.respond(
            to: ReplayRequest(
                method: "POST", target: AomiPath.secrets, fields: [.init(name: "Content-Type", value: "application/json")],
                body: Array(#"{"client_id":"\#(client)","secrets":{"OTHER_KEY":"\#(value)"}}"#.utf8)))
        #expect(other.kind == .miss)
        let shown = String(decoding: other.answer.body, as: UTF8.self) + (other.explanation ?? "")
        let token = try #require(SecretTokens.load(root: recording.root).token(for: value))
        #expect(!shown.contains(value) && shown.contains(token))
        #expect(!"\(engine.status())".contains(value))
    }

    @Test("a thread created and listed at once is listed under the client's id while it is still one of several recorded threads")
    func aCreatedThreadIsListedUnderTheClientsID() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 2, messages: 1)
        defer { recording.remove() }
        let engine = ReplayEngine(archive: recording.archive, tokens: SecretTokens.load(root: recording.root))
        let wallet = try #require(recording.recorded.threads.first?.wallet)
        let recordedIDs = Set(recording.recorded.threads.map(\.sessionID))
        let created = UUID().uuidString.lowercased()
        let create = engine.respond(
            to: ReplayRequest(
                method: "POST", target: AomiPath.sessions, fields: [.init(name: "X-Session-Id", value: created), .init(name: "Content-Type", value: "application/json")],
                body: Array(#"{"public_key":"\#(wallet)"}"#.utf8)))
        try #require(create.kind == .hit)
        #expect(engine.status()["aliases"]?[created] != nil && engine.status()["aliases"]?[created] != .null)
        let listed = engine.respond(to: ReplayRequest(method: "GET", target: AomiPath.sessions + "?public_key=\(wallet)", fields: [], body: []))
        try #require(listed.kind == .hit)
        let threads = try JSONCoding.decode([ThreadSummary].self, from: listed.answer.body).map(\.sessionID)
        #expect(threads.contains(created), "\(threads)")
        #expect(threads.filter { recordedIDs.contains($0) }.count == threads.count - 1, "the other recorded thread keeps its id: \(threads)")
    }
}
