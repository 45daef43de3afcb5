import AomiAPI
import AomiArchive
import AomiSimulator
import Conversation
import Foundation
import HTTPServing
import Recorder
import Rerun
import TLSSupport
import TestSupport
import Testing

/// What a rerun does when the backend fails, never ends a turn, speaks TLS, or is stopped by
/// the user; and a crawled wallet rerun from its transcript.
@Suite struct RerunFailureTests {
    @Test(.timeLimit(.minutes(10))) func aBackendThatFailsMidTurnFailsThatTurnAndTheRestAreNotSent() async throws {
        let fixture = try await RerunFixture.recorded(wallets: 1, threads: 1)
        defer { Task { await fixture.remove() } }
        let stuck = try await StuckBackend.start(failPolls: true)
        defer { Task { await stuck.server.stop() } }

        let report = try await fixture.rerun(against: stuck.server.baseURL)

        let turns = report.allTurns
        #expect(turns.first?.verdict == .failed)
        #expect(turns.first?.failure?.contains("HTTP 500") == true && turns.first?.failure?.contains("the agent crashed") == true, "\(turns.first?.failure ?? "")")
        #expect(turns.dropFirst().allSatisfy { $0.verdict == .failed && $0.failure == "the turn was not sent" })
        #expect(report.hasStructuralChange && report.tally.failed == 1)
        // The failed exchange is recorded like any other, marked as the rerun.
        let rerun = try RerunFixture.conversations(in: fixture.root, includingReruns: true).filter { $0.rerunOf != nil }
        #expect(rerun.count == 1 && rerun[0].turns.count == 1 && rerun[0].turns[0].errors.contains { $0.hasPrefix("HTTP 500") })
    }

    @Test(.timeLimit(.minutes(10))) func aTurnThatNeverEndsFailsAtTheTurnTimeout() async throws {
        let fixture = try await RerunFixture.recorded(wallets: 1, threads: 1, messages: 2)
        defer { Task { await fixture.remove() } }
        let stuck = try await StuckBackend.start(failPolls: false)
        defer { Task { await stuck.server.stop() } }

        // Polled far slower than the original client: the report says timing does not compare.
        // The client polled every 10 ms, but a busy machine stretches the recorded pauses, so
        // the rerun's interval is chosen from what the records show: more than twice their
        // shortest pause (the note's threshold), and at least a second.
        let recorded = try #require(fixture.conversations.first?.pollInterval)
        let interval = max(Duration.seconds(1), recorded * 2 + .seconds(1))
        let milliseconds = interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000
        let report = try await fixture.rerun(against: stuck.server.baseURL, turnTimeout: .milliseconds(300), pollInterval: interval)

        let first = try #require(report.allTurns.first)
        #expect(first.verdict == .failed && first.failure?.contains("did not end within") == true && first.failure?.contains("still processing") == true)
        let notes = report.sessions.flatMap(\.reruns).flatMap(\.notes)
        #expect(notes.contains { $0.contains("this rerun every \(milliseconds) ms (--poll-interval)") }, "\(notes)")
    }

    @Test(.timeLimit(.minutes(10))) func cancellingKeepsWhatRanRecordedAndReported() async throws {
        let fixture = try await RerunFixture.recorded(wallets: 1, threads: 1, messages: 2)
        defer { Task { await fixture.remove() } }
        let stuck = try await StuckBackend.start(failPolls: false)
        defer { Task { await stuck.server.stop() } }
        let rerun = Task { try await fixture.rerun(against: stuck.server.baseURL) }
        // Held until the turn is under way: the backend has been polled.
        for await _ in stuck.polls { break }

        rerun.cancel()
        let report = try await rerun.value

        #expect(report.interrupted)
        #expect(report.allTurns.first?.failure == "interrupted")
        #expect(report.text.contains("interrupted"))
        let recorded = try RerunFixture.conversations(in: fixture.root, includingReruns: true).filter { $0.rerunOf != nil }
        #expect(recorded.count == 1 && recorded[0].turns.map(\.user) == fixture.conversations[0].turns.prefix(1).map(\.user))
    }

    @Test(.tags(.slow), .timeLimit(.minutes(10))) func aRerunGoesThroughAnHTTPSUpstreamAndATLSFailureIsNamed() async throws {
        let fixture = try await RerunFixture.recorded(wallets: 1, threads: 1)
        defer { Task { await fixture.remove() } }
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let secure = try await RerunFixture.simulator(tls: try ListenerTLS(certificateFile: certificates.good.certificateFile, keyFile: certificates.good.keyFile))
        defer { Task { await secure.stop() } }
        let upstream = "https://localhost:\(secure.port)"

        let report = try await fixture.rerun(against: upstream, tls: try UpstreamTLS(caFiles: [certificates.caFile]))
        #expect(report.allTurns.allSatisfy { $0.verdict == .same } && !report.hasStructuralChange, "\(report.text)")

        await #expect {
            _ = try await fixture.rerun(against: upstream)
        } throws: { error in
            let text = "\(error)"
            return text.contains("cannot be reached") && text.contains("TLS failed") && text.contains("certificate")
        }
    }

    @Test(.timeLimit(.minutes(10))) func aCrawledWalletRerunsFromItsTranscript() async throws {
        let fixture = try await RerunFixture.recorded(wallets: 1, threads: 2, messages: 3)
        defer { Task { await fixture.remove() } }
        let crawled = TemporaryDirectory.path("aomi-rerun-crawl")
        defer { try? FileManager.default.removeItem(atPath: crawled) }
        let wallet = try #require(fixture.conversations.first?.wallet.flatMap(WalletAddress.init))
        let archive = WalletArchive(settings: .init(root: crawled, recorderID: "crawl", fsync: .never))
        let client = RecordingProxy.makeUpstreamClient()
        let crawl = try await WalletCrawler(
            configuration: CrawlConfiguration(upstream: fixture.sim.baseURL, wallet: wallet, timeout: .seconds(240)), archive: archive,
            redactor: Redactor(key: try RedactionKey.loadOrCreate(root: crawled)), client: client
        ).crawl()
        try await client.shutdown()
        _ = try await archive.close()
        #expect(crawl.failures.isEmpty)
        // The crawl also pulls threads that hold no message: there is nothing to rerun in them.
        let transcripts = try RerunFixture.conversations(in: crawled).filter { !$0.userTurns.isEmpty }
        #expect(transcripts.count == 2 && transcripts.allSatisfy(\.fromTranscript))
        #expect(Set(transcripts.map { $0.userTurns.map(\.message) }) == Set(fixture.conversations.map { $0.userTurns.map(\.message) }))

        let report = try await fixture.rerun(conversations: transcripts, answer: .sign, record: crawled)

        #expect(report.allTurns.allSatisfy { $0.verdict != .failed }, "\(report.text)")
        #expect(report.allTurns.filter { $0.original?.agentMessages.contains { $0.contains("wallet") } == false }.allSatisfy { $0.verdict == .same })
        let reruns = try RerunFixture.conversations(in: crawled, includingReruns: true).filter { $0.rerunOf != nil }
        #expect(Set(reruns.map { $0.userTurns.map(\.message) }) == Set(transcripts.map { $0.userTurns.map(\.message) }))
    }
}
