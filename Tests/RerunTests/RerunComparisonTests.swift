import AomiAPI
import AomiArchive
import AomiSimulator
import Conversation
import Foundation
import Rerun
import TestSupport
import Testing

/// Driven conversations (tools, signed and rejected swaps, an EIP-712 permit, titles, a
/// secret) rerun against real simulators, recorded, read back and compared.
@Suite struct RerunComparisonTests {
    @Test(.timeLimit(.minutes(10))) func aRerunAgainstTheSameBackendIsTheSameInEveryTurnAndIsMarked() async throws {
        let fixture = try await RerunFixture.recorded(wallets: 2, threads: 4, messages: 6)
        defer { Task { await fixture.remove() } }
        let outcomes = fixture.report.threads.flatMap(\.walletOutcomes)
        #expect(outcomes.contains { $0.hasSuffix("signed") } && outcomes.contains { $0.hasSuffix("rejected") }, "\(outcomes)")
        #expect(outcomes.contains { $0.contains("wallet_eip712_request") }, "\(outcomes)")
        #expect(fixture.conversations.allSatisfy { $0.title != nil && $0.secretNames == ["API_KEY"] })
        #expect(fixture.conversations.contains { $0.turns.contains { $0.tools.contains { $0.completed && !$0.name.hasPrefix("tool_result") } } })

        let report = try await fixture.rerun()

        #expect(report.sessions.count == fixture.conversations.count)
        for turn in report.allTurns where turn.verdict != .same {
            Issue.record("turn \(turn.number) \(turn.verdict): \(turn.differences)")
        }
        #expect(!report.hasStructuralChange)
        #expect(report.sessions.flatMap(\.reruns).flatMap(\.notes).isEmpty)
        // Wallet requests wait as many polls as the user took: every turn takes as many polls.
        for turn in report.allTurns where turn.originalTiming?.polls != turn.rerunTiming?.polls {
            Issue.record("turn \(turn.number): \(turn.originalTiming?.polls ?? -1) → \(turn.rerunTiming?.polls ?? -1) polls")
        }
        #expect(report.text.contains("\(fixture.conversations.count)     \(fixture.conversations.count)        0       0"), "\(report.table)")
        let reruns = try RerunFixture.conversations(in: fixture.root, includingReruns: true).filter { $0.rerunOf != nil }
        #expect(Set(reruns.compactMap(\.rerunOf)) == Set(fixture.conversations.map(\.sessionID)))
        #expect(Set(reruns.map(\.sessionID)) == Set(report.sessions.flatMap(\.reruns).compactMap(\.rerun)))
        // The secret's value was sent: the rerun registered it under the same redaction token.
        let registered = try secretTokens(in: fixture.root)
        #expect(registered.count == 2 * fixture.conversations.count && Set(registered).count == 1, "\(registered)")
    }

    @Test(.timeLimit(.minutes(10))) func eachSimulatorVariantIsReportedWhereItDiffers() async throws {
        let fixture = try await RerunFixture.recorded(wallets: 1, threads: 3)
        defer { Task { await fixture.remove() } }
        let swaps = fixture.conversations.flatMap(\.turns).filter { !$0.walletRequests.isEmpty }.count
        try #require(swaps > 0)

        let amounts = try await RerunFixture.simulator(.fast(variant: .amounts))
        defer { Task { await amounts.stop() } }
        let changedAmounts = try await fixture.rerun(against: amounts.baseURL, repeats: 3)
        #expect(changedAmounts.hasStructuralChange)
        let transfers = changedAmounts.allTurns.filter { $0.original?.walletRequests.first?.kind == "wallet_tx_request" }
        #expect(!transfers.isEmpty && transfers.allSatisfy { $0.verdict == .walletRequestChanged })
        #expect(transfers.allSatisfy { turn in turn.differences.contains { $0.field == "wallet request 1 value" } })
        #expect(transfers.allSatisfy { turn in turn.differences.contains { $0.field == "agent text" && ($0.wordDiff ?? "").contains("{+") } })
        #expect(changedAmounts.allTurns.filter { $0.original?.walletRequests.isEmpty ?? true }.allSatisfy { $0.verdict == .same })
        for session in changedAmounts.sessions {
            #expect(session.reruns.count == 3)
            #expect(session.reproductions.values.allSatisfy { $0 == 3 }, "\(session.reproductions)")
        }
        #expect(changedAmounts.text.contains("wallet request changed in 3 of 3"))

        let noWallet = try await RerunFixture.simulator(.fast(variant: .noWallet))
        defer { Task { await noWallet.stop() } }
        let withoutRequests = try await fixture.rerun(against: noWallet.baseURL)
        let asked = withoutRequests.allTurns.filter { !($0.original?.walletRequests.isEmpty ?? true) }
        #expect(asked.count == swaps && asked.allSatisfy { $0.verdict == .walletRequestChanged })
        #expect(asked.allSatisfy { turn in turn.differences.contains { $0.field == "wallet request 1" && $0.rerun == "none" } })
        #expect(withoutRequests.hasStructuralChange)

        let slow = try await RerunFixture.simulator(.fast(variant: .slow))
        defer { Task { await slow.stop() } }
        let slower = try await fixture.rerun(against: slow.baseURL)
        #expect(!slower.hasStructuralChange)
        #expect(slower.allTurns.allSatisfy { $0.verdict == .same })
        let shifted = slower.allTurns.filter { turn in turn.differences.contains { $0.field == "timing" } }
        #expect(shifted.count == slower.allTurns.count, "\(slower.text)")
        #expect(shifted.allSatisfy { turn in turn.differences.contains { $0.rerun.hasPrefix("first text after") } })
    }

    @Test(.timeLimit(.minutes(10))) func missingSecretsAreNamedAndNoTokenIsSent() async throws {
        let fixture = try await RerunFixture.recorded(wallets: 1, threads: 1)
        defer { Task { await fixture.remove() } }
        let before = try secretTokens(in: fixture.root)

        let report = try await fixture.rerun(secrets: [:])

        let notes = report.sessions.flatMap(\.reruns).flatMap(\.notes)
        #expect(notes.count == 1 && notes[0].contains("lacks secrets API_KEY"), "\(notes)")
        #expect(try secretTokens(in: fixture.root) == before, "a secret was registered without its value")
        let rerun = try RerunFixture.conversations(in: fixture.root, includingReruns: true).filter { $0.rerunOf != nil }
        #expect(rerun.count == 1 && rerun[0].secretNames.isEmpty)
    }

    /// The `POST /api/secrets` tokens recorded under a root, in order of files.
    private func secretTokens(in root: String) throws -> [String] {
        let archive = try RecordedArchive.load(files: try RecordedArchive.archiveFiles(under: root))
        return archive.sessions.flatMap(\.exchanges).filter { $0.request.method == "POST" && $0.request.path == AomiPath.secrets }.compactMap { exchange in
            (try? JSONCoding.decode(JSONValue.self, from: exchange.request.body))?["secrets"]?["API_KEY"]?.stringValue
        }
    }
}
