import AomiAPI
import AomiSimulator
import Foundation
import Testing

/// Every endpoint of the stand-in backend, success and error paths, over real HTTP.
@Suite struct SimulatorEndpointTests {
    let wallet = "0x742d35Cc6634C0532925a3b844Bc9e7595f2bD68"

    @Test func sessionsAreCreatedListedRenamedArchivedAndDeleted() async throws {
        let sim = try await SimulatorHarness.start()
        let created = try await sim.send(.POST, "/api/sessions", session: "s-1", body: #"{"public_key":"\#(wallet)"}"#)
        #expect(created.status == 200)
        #expect(try created.decode(ThreadSummary.self) == ThreadSummary(sessionID: "s-1", title: "New chat"))
        #expect(created.headers["Content-Type"].first == "application/json")
        _ = try await sim.send(.POST, "/api/sessions", session: "s-2", body: "{}")

        let listPath = "/api/sessions?public_key=\(wallet.lowercased())"
        #expect(try await sim.send(.GET, listPath, session: "x").decode([ThreadSummary].self).map(\.sessionID) == ["s-1"])
        #expect(try await sim.send(.GET, listPath).decode([ThreadSummary].self).map(\.sessionID) == ["s-1"], "the real client lists without X-Session-Id")
        #expect(try await sim.send(.GET, "/api/sessions/s-1", session: "x").decode(ThreadSummary.self).sessionID == "s-1")

        let renamed = try await sim.send(.PATCH, "/api/sessions/s-1", session: "x", body: #"{"title":"Renamed"}"#)
        #expect(try renamed.decode(ThreadSummary.self).title == "Renamed")
        #expect(try await sim.send(.POST, "/api/sessions/s-1/archive", session: "x").status == 200)
        #expect(try await sim.send(.GET, listPath, session: "x").decode([ThreadSummary].self).isEmpty)
        #expect(try await sim.send(.GET, listPath + "&include_archived=true", session: "x").decode([ThreadSummary].self).count == 1)
        #expect(try await sim.send(.POST, "/api/sessions/s-1/unarchive", session: "x").status == 200)
        #expect(try await sim.send(.DELETE, "/api/sessions/s-1", session: "x").status == 200)
        #expect(try await sim.send(.GET, "/api/sessions/s-1", session: "x").status == 404)
        try await sim.stop()
    }

    @Test func sessionErrorsAreDocumentedStatusesWithJSONBodies() async throws {
        let sim = try await SimulatorHarness.start()
        let missing = try await sim.send(.POST, "/api/sessions", body: "{}")
        #expect(missing.status == 400)
        #expect(try missing.json()["error"]?.stringValue?.contains("X-Session-Id") == true)
        #expect(try await sim.send(.GET, "/api/sessions/nope", session: "x").status == 404)
        #expect(try await sim.send(.DELETE, "/api/sessions/nope", session: "x").status == 404)
        #expect(try await sim.send(.POST, "/api/sessions/nope/archive", session: "x").status == 404)
        #expect(try await sim.send(.PATCH, "/api/sessions/nope", session: "x", body: #"{"title":"t"}"#).status == 404)
        _ = try await sim.send(.POST, "/api/sessions", session: "s", body: "{}")
        #expect(try await sim.send(.PATCH, "/api/sessions/s", session: "x", body: "{}").status == 400)
        #expect(try await sim.send(.POST, "/api/sessions", session: "s", body: "{not json").status == 400)
        #expect(try await sim.send(.GET, "/api/sessions", session: "x").status == 400)
        #expect(try await sim.send(.GET, "/api/sessions?public_key=0x12", session: "x").status == 400)
        let unknown = try await sim.send(.GET, "/api/nothing-here", session: "x")
        #expect(unknown.status == 404)
        #expect(try unknown.json()["status"] == .number(404))
        try await sim.stop()
    }

    @Test func aFirstRequestCreatesTheSessionAndUserStateBindsItsWallet() async throws {
        let sim = try await SimulatorHarness.start()
        let real = #"{"address":"0xAAAA000000000000000000000000000000000001","chain_id":1,"is_connected":true}"#
        let documented = #"{"evm":{"address":"0xaaaa000000000000000000000000000000000001","chain_id":1},"connection":{"is_connected":true}}"#
        #expect(try await sim.send(.GET, "/api/state?user_state=\(SimulatorHarness.encode(real))", session: "a").status == 200)
        #expect(try await sim.send(.GET, "/api/state?user_state=\(SimulatorHarness.encode(documented))", session: "b").status == 200)
        #expect(try await sim.send(.POST, "/api/chat?message=hi&public_key=0xAAAA000000000000000000000000000000000001", session: "c").status == 200)
        let listed = try await sim.send(.GET, "/api/sessions?public_key=0xaaaa000000000000000000000000000000000001", session: "x")
        #expect(Set(try listed.decode([ThreadSummary].self).map(\.sessionID)) == ["a", "b", "c"])
        #expect(try await sim.send(.GET, "/api/state", session: "a").decode(SessionSnapshot.self).userState?["address"] != nil)
        try await sim.stop()
    }

    @Test func chatAnswersAtOnceAndTheReplyGrowsOverPolls() async throws {
        let sim = try await SimulatorHarness.start {
            $0.pacing = .polls(1)
            $0.streamChunks = 4
        }
        let sent = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("What is the price of ETH?"))", session: "s")
        let first = try sent.decode(SessionSnapshot.self)
        #expect(first.isProcessing)
        #expect(first.messages.map(\.sender) == ["user"])
        let snapshots = try await sim.pollUntilDone(session: "s")
        let final = try #require(snapshots.last)
        #expect(!final.isProcessing)
        let reply = try #require(final.messages.last)
        #expect(reply.sender == "agent" && !reply.isStreaming)
        #expect(reply.toolResult?.first == "price:ETH")
        // One step per poll: three tool events and the tool's end, the reply in four pieces
        // (three of them still streaming), the title (a first turn's), then the end of the turn.
        #expect(snapshots.count == 11)
        #expect(snapshots.last?.title == "Price ETH" && snapshots.dropLast().last?.isProcessing == true)
        let partial = snapshots.compactMap { $0.messages.count == 2 && $0.messages[1].isStreaming ? $0.messages[1].content : nil }
        #expect(partial.count == 3)
        #expect(zip(partial, partial.dropFirst()).allSatisfy { $0.count < $1.count && $1.hasPrefix($0) })
        #expect(partial.allSatisfy { reply.content.hasPrefix($0) && $0.count < reply.content.count })

        #expect(try await sim.send(.POST, "/api/chat", session: "s").status == 400)
        #expect(try await sim.send(.POST, "/api/chat?message=hi").status == 400)
        try await sim.stop()
    }

    @Test func aClockPacedTurnEndsOnItsOwn() async throws {
        let sim = try await SimulatorHarness.start {
            $0.pacing = .clock
            $0.thinkTime = .zero
            $0.chunkInterval = .zero
            $0.titleDelay = .zero
        }
        let (_, stream) = try await sim.subscribe(session: "s")
        var events = stream.makeAsyncIterator()
        _ = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("What is the price of ETH?"))", session: "s")
        // Nobody polls: the turn runs on its own clock, the title comes after it.
        let updates = await collect(&events) { $0.type == UpdateEvent.Kind.titleChanged }
        #expect(updates.map(\.type) == ["tool_update", "tool_update", "tool_update", "tool_complete", "title_changed"])
        let final = try await sim.send(.GET, AomiPath.state, session: "s").decode(SessionSnapshot.self)
        #expect(!final.isProcessing && final.messages.map(\.sender) == ["user", "agent"] && final.title == "Price ETH")
        try await sim.stop()
    }

    @Test func interruptStopsTheTurn() async throws {
        let sim = try await SimulatorHarness.start { $0.pacing = .polls(1) }
        _ = try await sim.send(.POST, "/api/chat?message=hello", session: "s")
        let stopped = try await sim.send(.POST, "/api/interrupt", session: "s").decode(SessionSnapshot.self)
        #expect(!stopped.isProcessing)
        // Each of these polls would have taken a step of a turn still running.
        for _ in 0..<6 {
            let later = try await sim.send(.GET, "/api/state", session: "s").decode(SessionSnapshot.self)
            #expect(!later.isProcessing)
            #expect(later.messages.map(\.sender) == ["user"])
        }
        #expect(try await sim.send(.POST, "/api/interrupt").status == 400)
        try await sim.stop()
    }

    @Test func queriesAreFormDecodedAsTheRealClientEncodesThem() async throws {
        let sim = try await SimulatorHarness.start()
        let sent = try await sim.send(.POST, "/api/chat?message=What+is+the+price+of+ETH%3F+1%2B1", session: "s").decode(SessionSnapshot.self)
        #expect(sent.messages.first?.content == "What is the price of ETH? 1+1")
        try await sim.stop()
    }

    @Test func aSignedSwapIsConfirmedWithItsHashAndARejectedOneAcknowledged() async throws {
        let sim = try await SimulatorHarness.start()
        for (session, signed) in [("signed", true), ("rejected", false)] {
            _ = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("Swap 1 ETH to USDC"))", session: session)
            let asked = try #require(try await sim.pollUntilDone(session: session).last)
            let request = try #require(asked.systemEvents.last?["InlineCall"])
            #expect(request["type"] == .string("wallet_tx_request"))
            let args = try #require(request["payload"]?["args"])
            #expect(args["tx_ids"] == .array([.number(1)]) && args["chain_id"] == .number(1) && args["aa_preference"] == .string("auto"))
            #expect(args["to"]?.stringValue?.count == 42 && args["data"] == .string("0x38ed1739"))
            let pending = try #require(asked.userState?["pending_txs"]?["1"])
            #expect(pending["to"] == args["to"] && pending["label"]?.stringValue?.hasPrefix("Swap") == true)
            // Polls while the request waits hand the event out no more; the request stays in `user_state`.
            var waiting = asked
            waiting.systemEvents = []
            #expect(try await sim.send(.GET, "/api/state", session: session).decode(SessionSnapshot.self) == waiting)

            let hash = "0x" + String(repeating: "ab", count: 32)
            let answer =
                signed
                ? #"{"type":"wallet:tx_complete","payload":{"txHash":"\#(hash)","status":"success","pending_tx_ids":[1]}}"#
                : #"{"type":"wallet:tx_complete","payload":{"status":"failed","pending_tx_ids":[1],"error":"User rejected the request"}}"#
            let resumed = try await sim.send(.POST, "/api/system?message=\(SimulatorHarness.encode(answer))", session: session).decode(SessionSnapshot.self)
            #expect(resumed.isProcessing && resumed.userState?["pending_txs"] == nil)
            let final = try #require(try await sim.pollUntilDone(session: session).last)
            let reply = try #require(final.messages.last)
            #expect(reply.sender == "agent")
            #expect(signed ? reply.content.contains(hash) : reply.content.contains("rejected"), "\(reply.content)")
            let again = try await sim.send(.POST, "/api/system?message=\(SimulatorHarness.encode(answer))", session: session)
            let error = try again.json()["error"]?.stringValue ?? ""
            #expect(again.status == 400 && error.contains("no pending transaction 1"), "\(error)")
        }
        try await sim.stop()
    }

    @Test func eachSystemEventIsHandedOutOnceAndTheHistoryStaysInEvents() async throws {
        let sim = try await SimulatorHarness.start()
        _ = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("Swap 1 ETH to USDC"))", session: "s")
        let polls = try await sim.pollUntilDone(session: "s")
        let carrying = polls.filter { !$0.systemEvents.isEmpty }
        try #require(carrying.count == 1, "one answer carries the wallet request: \(polls.map(\.systemEvents.count))")
        #expect(carrying[0].walletRequests.count == 1)
        // A system message raises a notice: the /api/system answer hands nothing out, the next poll does, once.
        let system = try await sim.send(.POST, "/api/system?message=\(SimulatorHarness.encode("Wallet connected"))", session: "s").decode(SessionSnapshot.self)
        #expect(system.systemEvents.isEmpty)
        let next = try await sim.send(.GET, AomiPath.state, session: "s").decode(SessionSnapshot.self)
        #expect(next.systemEvents == [.object(["SystemNotice": .string("Wallet connected")])])
        #expect(try await sim.send(.GET, AomiPath.state, session: "s").decode(SessionSnapshot.self).systemEvents.isEmpty)
        #expect(try await sim.send(.POST, AomiPath.interrupt, session: "s").decode(SessionSnapshot.self).systemEvents.isEmpty)
        // The whole history, and its last `count` entries.
        #expect(try await sim.send(.GET, "/api/events", session: "s").json() == .array(carrying[0].systemEvents + next.systemEvents))
        #expect(try await sim.send(.GET, "/api/events?count=1", session: "s").json() == .array(next.systemEvents))
        try await sim.stop()
    }

    @Test func aPermitIsSignedThroughTheEIP712Flow() async throws {
        let sim = try await SimulatorHarness.start()
        _ = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("Sign a gasless USDC permit for the router"))", session: "s")
        let asked = try #require(try await sim.pollUntilDone(session: "s").last)
        let request = try #require(asked.systemEvents.last?["InlineCall"])
        #expect(request["type"] == .string("wallet_eip712_request"))
        #expect(request["payload"]?["pending_eip712_id"] == .number(1) && request["payload"]?["typed_data"]?["primaryType"] == .string("Permit"))
        #expect(asked.userState?["pending_eip712s"]?["1"] != nil)
        let signature = "0x" + String(repeating: "cd", count: 65)
        let answer = #"{"type":"wallet_eip712_response","payload":{"pending_eip712_id":1,"status":"success","signature":"\#(signature)"}}"#
        _ = try await sim.send(.POST, "/api/system?message=\(SimulatorHarness.encode(answer))", session: "s")
        let final = try #require(try await sim.pollUntilDone(session: "s").last)
        #expect(final.userState?["pending_eip712s"] == nil)
        #expect(final.messages.last?.content.contains("permit is signed") == true)
        try await sim.stop()
    }

    @Test func swapsRaiseAWalletRequestAndEventsAreListed() async throws {
        let sim = try await SimulatorHarness.start()
        #expect(try await sim.send(.GET, "/api/events", session: "s").status == 404)
        _ = try await sim.send(.POST, "/api/chat?message=\(SimulatorHarness.encode("Swap 1 ETH to USDC"))", session: "s")
        let polls = try await sim.pollUntilDone(session: "s")
        let handedOut = polls.flatMap(\.systemEvents)
        #expect(polls.last?.walletRequests.count == 1 && handedOut.count == 1)
        let events = try await sim.send(.GET, "/api/events?count=5", session: "s")
        #expect(events.status == 200)
        #expect(try events.json() == .array(handedOut))
        let system = try await sim.send(.POST, "/api/system?message=\(SimulatorHarness.encode("Wallet connected"))", session: "s").decode(SessionSnapshot.self)
        #expect(system.messages.last == ChatMessage(sender: "system", content: "Wallet connected", timestamp: system.messages.last?.timestamp))
        #expect(try await sim.send(.POST, "/api/system", session: "s").status == 400)
        try await sim.stop()
    }

    @Test func appKeysAreCheckedForKeyedAppsOnly() async throws {
        let sim = try await SimulatorHarness.start()
        // The live backend answers names, which the client's own test and the widget expect.
        let apps = try await sim.send(.GET, "/api/control/apps", session: "s").decode([String].self)
        #expect(apps.sorted() == ["default", SimulatorConfiguration.keyedApp])
        let keyed = "/api/chat?message=hi&app=\(SimulatorConfiguration.keyedApp)"
        let noKey = try await sim.send(.POST, keyed, session: "s")
        #expect(noKey.status == 401)
        #expect(try noKey.json()["error"] != nil)
        #expect(try await sim.send(.POST, keyed, session: "s", headers: [("X-API-Key", "wrong")]).status == 403)
        #expect(try await sim.send(.POST, keyed, session: "s", headers: [("X-API-Key", sim.appKey)]).status == 200)
        #expect(try await sim.send(.POST, keyed, session: "s", headers: [("AOMI-APP-KEY", sim.appKey)]).status == 200)
        #expect(try await sim.send(.POST, "/api/chat?message=hi&app=default", session: "s", headers: [("X-API-Key", "anything")]).status == 200)
        #expect(try await sim.send(.POST, "/api/chat?message=hi&app=nosuchapp", session: "s").status == 404)
        try await sim.stop()
    }

    @Test func modelsAreListedAndSet() async throws {
        let sim = try await SimulatorHarness.start()
        let models = try await sim.send(.GET, "/api/control/models", session: "s").decode([String].self)
        #expect(models == ["claude-sonnet", "gpt-4o"])
        let set = try await sim.send(.POST, "/api/control/model?rig=gpt-4o", session: "s").json()
        #expect(set["success"] == .bool(true) && set["rig"] == .string("gpt-4o") && set["created"] == .bool(true))
        #expect(try await sim.send(.POST, "/api/control/model?rig=gpt-4o", session: "s").json()["created"] == .bool(false))
        #expect(try await sim.send(.POST, "/api/control/model?rig=nope", session: "s").status == 400)
        #expect(try await sim.send(.POST, "/api/control/model", session: "s").status == 400)
        try await sim.stop()
    }

    @Test func secretsProviderKeysAndSimulation() async throws {
        let sim = try await SimulatorHarness.start()
        let secret = "sk-" + UUID().uuidString
        // The real client sends its secrets calls without X-Session-Id.
        let handles = try await sim.send(.POST, "/api/secrets", body: #"{"client_id":"c1","secrets":{"API_KEY":"\#(secret)"}}"#)
        #expect(try handles.json()["handles"]?["API_KEY"] == .string("$SECRET:API_KEY"))
        #expect(!handles.text.contains(secret))
        #expect(try await sim.send(.DELETE, "/api/secrets/API_KEY?client_id=c1").status == 200)
        #expect(try await sim.send(.DELETE, "/api/secrets/API_KEY?client_id=c1", session: "s").status == 404)
        #expect(try await sim.send(.DELETE, "/api/secrets?client_id=c1").status == 200)
        #expect(try await sim.send(.DELETE, "/api/secrets", session: "s").status == 400)
        #expect(try await sim.send(.POST, "/api/secrets", session: "s", body: "{}").status == 400)

        #expect(try await sim.send(.POST, "/api/control/provider-keys", session: "s", body: #"{"provider":"openai","api_key":"\#(secret)"}"#).status == 200)
        let hints = try await sim.send(.GET, "/api/control/provider-keys", session: "s")
        #expect(hints.text.contains("openai") && !hints.text.contains(secret))
        #expect(try await sim.send(.DELETE, "/api/control/provider-keys/openai", session: "s").status == 200)
        #expect(try await sim.send(.DELETE, "/api/control/provider-keys/openai", session: "s").status == 404)

        let simulated = try await sim.send(.POST, "/api/simulate", session: "s", body: #"{"transactions":[{"to":"0x1"},{"to":"0x2"}]}"#)
        #expect(try simulated.json()["results"].map { if case let .array(items) = $0 { items.count } else { 0 } } == 2)
        #expect(try await sim.send(.POST, "/api/simulate", session: "s", body: #"{"x":1}"#).status == 400)
        try await sim.stop()
    }

    @Test func anOversizedBodyIs413AndTheServerKeepsServing() async throws {
        let sim = try await SimulatorHarness.start { $0.maxBodyBytes = 1024 }
        let big = #"{"client_id":"c","secrets":{"A":""# + String(repeating: "x", count: 4096) + #""}}"#
        #expect(try await sim.send(.POST, "/api/secrets", session: "s", body: big).status == 413)
        #expect(try await sim.send(.GET, "/api/state", session: "s").status == 200)
        try await sim.stop()
    }
}
