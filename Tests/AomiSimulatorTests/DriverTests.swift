import AomiAPI
import AomiSimulator
import Testing

/// The client driver against a real simulator.
@Suite struct DriverTests {
    private func drive(
        seed: UInt64 = 1, wallets: Int = 1, threads: Int = 1, messages: Int = 3, configure: (inout SimulatorConfiguration) -> Void = { _ in }
    ) async throws -> DriverReport {
        let sim = try await SimulatorHarness.start(configure)
        let driver = AomiDriver(configuration: .fast(target: sim.server.baseURL, wallets: wallets, threads: threads, messages: messages, seed: seed))
        let report = try await driver.run()
        try await sim.stop()
        return report
    }

    @Test func aDrivenConversationRunsAToolGetsATitleAndRaisesAWalletRequest() async throws {
        let report = try await drive()
        #expect(report.errors.isEmpty, "\(report.errors)")
        let thread = try #require(report.threads.first)
        #expect(thread.sentMessages == ["What is the price of ETH right now?", "How does staking work on this chain?", "Swap 0.5 ETH to USDC for me"])
        // The swap's wallet request is answered (signed or rejected, as the seed says), then the agent replies.
        #expect(thread.messages.map(\.sender) == ["user", "agent", "user", "agent", "user", "agent", "system", "agent"])
        #expect(thread.messages[1].toolResult?.first == "price:ETH")
        #expect(thread.events.prefix(4) == ["tool_update: get_price 33%", "tool_update: get_price 66%", "tool_update: get_price 100%", "tool_complete: get_price"])
        #expect(thread.events.contains("title_changed: Price ETH"))
        #expect(thread.events.contains("system_notice: wallet_tx_request"))
        #expect(thread.title == "Price ETH")
        #expect(thread.walletRequests.count == 1)
        let outcome = try #require(thread.walletOutcomes.first)
        #expect(thread.walletOutcomes.count == 1 && outcome.hasPrefix("wallet_tx_request 1 (Swap "), "\(outcome)")
        if outcome.hasSuffix(": signed") {
            let hash = try #require(thread.proofs.first)
            #expect(hash.count == 66 && thread.messages.last?.content.contains(hash) == true)
        } else {
            #expect(outcome.hasSuffix(": rejected") && thread.proofs.isEmpty && thread.messages.last?.content.contains("rejected") == true)
        }
        #expect(thread.listedInThreads)
        #expect(thread.wallet == thread.wallet.lowercased() && thread.wallet.count == 42)
    }

    @Test func twoRunsWithTheSameSeedGiveTheSameTranscript() async throws {
        let first = try await drive(seed: 7, wallets: 2, threads: 2, messages: 2)
        let second = try await drive(seed: 7, wallets: 2, threads: 2, messages: 2)
        #expect(first.errors.isEmpty && second.errors.isEmpty)
        #expect(first.transcript == second.transcript)
        #expect(first.threads.flatMap(\.proofs) != second.threads.flatMap(\.proofs), "new hashes and signatures on every run")
        #expect(
            first.threads.flatMap(\.walletOutcomes).contains { $0.hasSuffix("signed") } && first.threads.flatMap(\.walletOutcomes).contains { $0.hasSuffix("rejected") },
            "\(first.threads.flatMap(\.walletOutcomes))")
        #expect(first.threads.map(\.sessionID) != second.threads.map(\.sessionID))
        let other = try await drive(seed: 8, wallets: 2, threads: 2, messages: 2)
        #expect(other.transcript != first.transcript)
    }

    @Test(.timeLimit(.minutes(10))) func aBackendThatRepeatsEventsMakesTheWalletFlowFailNamingTheRequest() async throws {
        let sim = try await SimulatorHarness.start()
        let repeating = try await RepeatingEventsBackend.start(forwardingTo: sim.server.baseURL)
        // The third message is the swap: its wallet request comes back after the driver answered it.
        let report = try await AomiDriver(configuration: .fast(target: repeating.server.baseURL, messages: 3)).run()
        await repeating.server.stop()
        try await sim.stop()
        let thread = try #require(report.threads.first)
        #expect(thread.walletOutcomes.count == 1, "answered once, never twice: \(thread.walletOutcomes)")
        let error = try #require(thread.errors.first)
        #expect(thread.errors.count == 1)
        #expect(
            error.contains("turn 3: wallet_tx_request tx-1 was handed out again after it was answered") && error.contains("Session.send() never resolves"),
            "\(error)")
        // The same driver against the simulator itself finishes the flow.
        #expect(try await drive(messages: 3).errors.isEmpty)
    }

    @Test func aUserWhoTakesLongerToAnswerSeesEachRequestOnce() async throws {
        let sim = try await SimulatorHarness.start()
        var configuration = DriverConfiguration.fast(target: sim.server.baseURL, threads: 2, messages: 3, seed: 4)
        configuration.pollsWhileWalletPending = 12
        let report = try await AomiDriver(configuration: configuration).run()
        try await sim.stop()
        #expect(report.errors.isEmpty, "\(report.errors)")
        for thread in report.threads {
            #expect(thread.walletRequests.count == 1 && thread.walletOutcomes.count == 1, "\(thread.walletOutcomes)")
            #expect(thread.messages.last?.sender == "agent")
        }
    }

    @Test(.timeLimit(.minutes(10))) func theDriverReconnectsWhenTheUpdatesStreamEnds() async throws {
        // Every stream ends after its first event: the first tool event of the first turn ends
        // the first stream, whatever the machine's speed.
        let report = try await drive(messages: 2) { $0.updatesEventLimit = 1 }
        #expect(report.errors.isEmpty, "\(report.errors)")
        let thread = try #require(report.threads.first)
        #expect(thread.reconnects > 0)
        #expect(thread.events.first == "tool_update: get_price 33%")
        #expect(thread.title == "Price ETH", "from the event, or from the state when the event came between two streams")
    }
}
