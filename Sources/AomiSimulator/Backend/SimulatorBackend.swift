import AomiAPI
import Foundation

/// The state of the stand-in Aomi backend: sessions bound to wallets, agent turns that run
/// over time, titles, secrets, and the subscribers of each session's updates channel.
///
/// Every HTTP handler calls into this actor; agent turns run as tasks that step through it.
public actor SimulatorBackend {
    public let configuration: SimulatorConfiguration
    private let script: AgentScript
    private var sessions: [String: SimulatedSession] = [:]
    private var created = 0
    private var runningTurns: [String: RunningTurn] = [:]
    private var clockTasks: [String: Task<Void, Never>] = [:]
    private var subscribers: [String: [UUID: Subscriber]] = [:]
    private var secrets: [String: [String: String]] = [:]
    private var providerKeys: [String: String] = [:]

    public init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        self.script = AgentScript(seed: configuration.seed, variant: configuration.variant)
    }

    // MARK: Sessions

    /// The session, created on first use as the real backend does.
    @discardableResult
    func session(_ id: String) -> SimulatedSession {
        if let existing = sessions[id] { return existing }
        let session = SimulatedSession(id: id, order: created)
        created += 1
        sessions[id] = session
        return session
    }

    func existingSession(_ id: String) -> SimulatedSession? {
        sessions[id]
    }

    func createSession(_ id: String, wallet: WalletAddress?) -> ThreadSummary {
        session(id)
        if let wallet { sessions[id]?.wallet = wallet }
        return sessions[id]!.summary
    }

    /// Binds the session to the wallet named by `public_key` or found in `user_state`.
    func bind(_ id: String, publicKey: String?, userState: String?) {
        session(id)
        if let text = userState, let state = try? JSONCoding.decode(JSONValue.self, from: Array(text.utf8)) {
            sessions[id]?.userState = state
            if let wallet = WalletAddress.find(inUserState: state) { sessions[id]?.wallet = wallet }
        }
        if let wallet = publicKey.flatMap(WalletAddress.init) { sessions[id]?.wallet = wallet }
    }

    func threads(of wallet: WalletAddress, includeArchived: Bool) -> [ThreadSummary] {
        sessions.values
            .filter { $0.wallet == wallet && (includeArchived || !$0.isArchived) }
            .sorted { $0.order > $1.order }
            .map(\.summary)
    }

    func rename(_ id: String, to title: String) -> ThreadSummary? {
        guard sessions[id] != nil else { return nil }
        setTitle(id, title)
        return sessions[id]?.summary
    }

    func delete(_ id: String) -> Bool {
        guard sessions.removeValue(forKey: id) != nil else { return false }
        stopTurn(id)
        return true
    }

    func setArchived(_ id: String, _ archived: Bool) -> Bool {
        guard sessions[id] != nil else { return false }
        sessions[id]?.isArchived = archived
        return true
    }

    func setModel(_ id: String, rig: String) -> Bool {
        session(id)
        let isNew = sessions[id]?.rig != rig
        sessions[id]?.rig = rig
        return isNew
    }

    func systemEvents(_ id: String, count: Int?) -> [JSONValue] {
        let events = session(id).systemEvents
        guard let count else { return events }
        return Array(events.suffix(max(0, count)))
    }

    // MARK: Chat

    /// Adds the user's message and starts the agent's turn; answers at once.
    func chat(_ id: String, message: String) -> SessionSnapshot {
        session(id)
        sessions[id]?.messages.append(ChatMessage(sender: Sender.user, content: message, timestamp: configuration.timestamps.stamp()))
        sessions[id]?.turns += 1
        let number = sessions[id]!.turns
        var plan = TurnPlan(script.turn(for: message, number: number), configuration: configuration)
        if case .polls = configuration.pacing, number == 1, sessions[id]?.isTitled == false {
            plan.announceTitle(script.title(for: message))
        }
        startTurn(plan, number: number, session: id)
        return sessions[id]!.handOutSnapshot()
    }

    /// Runs `plan` as the session's turn, in place of any turn still running.
    private func startTurn(_ plan: TurnPlan, number: Int, session id: String) {
        stopTurn(id)
        sessions[id]?.isProcessing = true
        runningTurns[id] = RunningTurn(number: number, steps: plan.steps[...])
        if configuration.pacing == .clock {
            clockTasks[id] = Task { await self.runOnClock(session: id) }
        }
    }

    /// Answers a poll of `GET /api/state`; with the polls pacing, every `n`th poll then moves
    /// the running turn one step on.
    func poll(_ id: String) -> SessionSnapshot {
        session(id)
        let snapshot = sessions[id]!.handOutSnapshot()
        if case let .polls(count) = configuration.pacing, runningTurns[id] != nil {
            runningTurns[id]?.polls += 1
            if runningTurns[id]!.polls >= count {
                runningTurns[id]?.polls = 0
                takeStep(session: id)
            }
        }
        return snapshot
    }

    /// Stops the running turn; the partial reply stays, marked complete.
    func interrupt(_ id: String) -> SessionSnapshot {
        session(id)
        stopTurn(id)
        sessions[id]?.isProcessing = false
        return sessions[id]!.handOutSnapshot()
    }

    /// A system message; the client's answer to a wallet request (`wallet:tx_complete`,
    /// `wallet_eip712_response`) clears the pending request and lets the agent go on.
    func systemMessage(_ id: String, message: String) throws(APIError) -> SessionSnapshot {
        session(id)
        if let answer = try WalletAnswer(message) {
            return try resolveWalletRequest(answer, session: id)
        }
        sessions[id]?.messages.append(ChatMessage(sender: Sender.system, content: message, timestamp: configuration.timestamps.stamp()))
        sessions[id]?.systemEvents.append(.object(["SystemNotice": .string(message)]))
        broadcast(UpdateEvent(type: UpdateEvent.Kind.systemNotice, sessionID: id, message: message), to: id)
        return sessions[id]!.snapshotKeepingEvents
    }

    private func stopTurn(_ id: String) {
        runningTurns[id] = nil
        clockTasks.removeValue(forKey: id)?.cancel()
        finishStreamingMessage(id)
    }

    /// The clock pacing: each step after its own wait, until the turn ends or is stopped.
    private func runOnClock(session id: String) async {
        while let delay = runningTurns[id]?.steps.first?.delay {
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
            takeStep(session: id)
        }
    }

    private func takeStep(session id: String) {
        guard let step = runningTurns[id]?.steps.popFirst(), let number = runningTurns[id]?.number else { return }
        guard sessions[id] != nil else {
            stopTurn(id)
            return
        }
        switch step.action {
        case .think:
            break
        case let .toolProgress(tool, percent):
            broadcast(UpdateEvent(type: UpdateEvent.Kind.toolUpdate, sessionID: id, toolName: tool, progress: percent), to: id)
        case let .toolComplete(tool, result):
            broadcast(UpdateEvent(type: UpdateEvent.Kind.toolComplete, sessionID: id, toolName: tool, message: result), to: id)
        case let .replyPiece(piece, isFirst, isLast, toolResult):
            addReplyPiece(piece, isFirst: isFirst, isLast: isLast, toolResult: toolResult, session: id)
        case let .title(title):
            setTitle(id, title)
        case let .finish(walletAsk):
            finishTurn(number: number, walletAsk: walletAsk, session: id)
        }
    }

    private func addReplyPiece(_ piece: String, isFirst: Bool, isLast: Bool, toolResult: [String]?, session id: String) {
        if isFirst {
            sessions[id]?.messages.append(
                ChatMessage(
                    sender: Sender.agent, content: piece, timestamp: configuration.timestamps.stamp(),
                    isStreaming: !isLast, toolResult: toolResult))
        } else if let position = sessions[id]?.messages.indices.last {
            sessions[id]?.messages[position].content += piece
            sessions[id]?.messages[position].isStreaming = !isLast
        }
    }

    private func finishTurn(number: Int, walletAsk: WalletAsk?, session id: String) {
        if let walletAsk, sessions[id] != nil {
            sessions[id]!.walletRequests += 1
            let requestID = sessions[id]!.walletRequests
            if walletAsk.isTransaction {
                sessions[id]?.pendingTransactions[requestID] = walletAsk
            } else {
                sessions[id]?.pendingSignatures[requestID] = walletAsk
            }
            sessions[id]?.systemEvents.append(walletAsk.systemEvent(id: requestID))
            let kind = walletAsk.isTransaction ? "wallet_tx_request" : "wallet_eip712_request"
            broadcast(UpdateEvent(type: UpdateEvent.Kind.systemNotice, sessionID: id, message: kind), to: id)
        }
        sessions[id]?.isProcessing = false
        runningTurns[id] = nil
        clockTasks[id] = nil
        if number == 1, sessions[id]?.isTitled == false, let first = sessions[id]?.messages.first(where: { $0.sender == Sender.user }) {
            Task { await self.generateTitle(session: id, from: first.content) }
        }
    }

    private func resolveWalletRequest(_ answer: WalletAnswer, session id: String) throws(APIError) -> SessionSnapshot {
        let pending = answer.isTransaction ? sessions[id]!.pendingTransactions : sessions[id]!.pendingSignatures
        let unknown = answer.requestIDs.filter { pending[$0] == nil }
        guard !answer.requestIDs.isEmpty, unknown.isEmpty else {
            let kind = answer.isTransaction ? "transaction" : "signature request"
            throw APIError(status: 400, "no pending \(kind) \(unknown.map(String.init).joined(separator: ", ")) in session \(id)")
        }
        let asks = answer.requestIDs.compactMap { pending[$0] }
        for requestID in answer.requestIDs {
            if answer.isTransaction { sessions[id]?.pendingTransactions[requestID] = nil } else { sessions[id]?.pendingSignatures[requestID] = nil }
        }
        let verdict = answer.succeeded ? "signed" : "rejected"
        let summary = "Wallet \(verdict) \(asks.map(\.label).joined(separator: ", "))" + (answer.proof.map { ": \($0)" } ?? "")
        sessions[id]?.messages.append(ChatMessage(sender: Sender.system, content: summary, timestamp: configuration.timestamps.stamp()))
        broadcast(UpdateEvent(type: UpdateEvent.Kind.systemNotice, sessionID: id, message: "wallet request \(verdict)"), to: id)
        let reply = script.walletOutcome(asks.first?.label ?? "", signed: answer.succeeded, proof: answer.proof ?? "", isTransaction: answer.isTransaction)
        startTurn(TurnPlan(AgentScript.Turn(reply: reply), configuration: configuration), number: sessions[id]!.turns, session: id)
        return sessions[id]!.snapshotKeepingEvents
    }

    private func finishStreamingMessage(_ id: String) {
        guard let position = sessions[id]?.messages.lastIndex(where: { $0.isStreaming }) else { return }
        sessions[id]?.messages[position].isStreaming = false
    }

    private func generateTitle(session id: String, from message: String) async {
        try? await Task.sleep(for: configuration.titleDelay)
        guard let session = sessions[id], !session.isTitled else { return }
        setTitle(id, script.title(for: message))
    }

    private func setTitle(_ id: String, _ title: String) {
        sessions[id]?.title = title
        sessions[id]?.isTitled = true
        sessions[id]?.titleHistory.append(title)
        broadcast(UpdateEvent(type: UpdateEvent.Kind.titleChanged, sessionID: id, newTitle: title), to: id)
    }

    // MARK: Updates channel

    /// An open `/api/updates` stream and, with `updatesEventLimit`, the events it has left.
    private struct Subscriber {
        let continuation: AsyncStream<ServerSentEvent>.Continuation
        var eventsLeft: Int?
    }

    /// A new subscriber of the session's events; it ends when the caller stops reading.
    func subscribe(_ id: String) -> AsyncStream<ServerSentEvent> {
        session(id)
        let token = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: ServerSentEvent.self, bufferingPolicy: .bufferingNewest(1024))
        subscribers[id, default: [:]][token] = Subscriber(continuation: continuation, eventsLeft: configuration.updatesEventLimit)
        let pings = Task { [configuration] in
            while !Task.isCancelled {
                try? await Task.sleep(for: configuration.pingInterval)
                if Task.isCancelled { break }
                continuation.yield(.comment("ping"))
            }
        }
        let lifetime = configuration.updatesLifetime.map { lifetime in
            Task {
                try? await Task.sleep(for: lifetime)
                continuation.finish()
            }
        }
        continuation.onTermination = { _ in
            pings.cancel()
            lifetime?.cancel()
            Task { await self.unsubscribe(id, token) }
        }
        return stream
    }

    private func unsubscribe(_ id: String, _ token: UUID) {
        subscribers[id]?[token] = nil
    }

    /// Subscribers now connected to a session.
    public func subscriberCount(_ id: String) -> Int {
        subscribers[id]?.count ?? 0
    }

    private func broadcast(_ event: UpdateEvent, to id: String) {
        let message = ServerSentEvent.json(event)
        for (token, subscriber) in subscribers[id, default: [:]] {
            subscriber.continuation.yield(message)
            guard let left = subscriber.eventsLeft else { continue }
            if left <= 1 {
                subscriber.continuation.finish()
                subscribers[id]?[token] = nil
            } else {
                subscribers[id]?[token]?.eventsLeft = left - 1
            }
        }
    }

    // MARK: Secrets and provider keys

    func storeSecrets(clientID: String, _ values: [String: String]) -> [String: String] {
        secrets[clientID, default: [:]].merge(values) { $1 }
        return Dictionary(uniqueKeysWithValues: values.keys.map { ($0, "$SECRET:\($0)") })
    }

    func clearSecrets(clientID: String) -> Int {
        secrets.removeValue(forKey: clientID)?.count ?? 0
    }

    func removeSecret(clientID: String, name: String) -> Bool {
        secrets[clientID]?.removeValue(forKey: name) != nil
    }

    func providerKeyHints() -> [[String: String]] {
        providerKeys.keys.sorted().map { provider in
            ["provider": provider, "key_hint": "…" + String(providerKeys[provider]!.suffix(4))]
        }
    }

    func setProviderKey(_ provider: String, _ key: String) {
        providerKeys[provider] = key
    }

    func removeProviderKey(_ provider: String) -> Bool {
        providerKeys.removeValue(forKey: provider) != nil
    }

}
