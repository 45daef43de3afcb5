import AomiAPI
import AomiClient
import AsyncHTTPClient
import Foundation
import NIOCore

/// A client that behaves like the real Aomi client (`@aomi-labs/client`): for each wallet
/// and thread it creates a session with a fresh UUID, keeps `/api/updates` open (reconnecting
/// with the client's backoff), sends messages in the query string, polls `/api/state` until
/// the agent is done, lists threads, and sometimes sets a model or lists Apps.
///
/// It is the load generator of the benchmarks and the client of the end-to-end tests.
public struct AomiDriver: Sendable {
    public let configuration: DriverConfiguration

    public init(configuration: DriverConfiguration) {
        self.configuration = configuration
    }

    /// Drives every thread and reports what it saw.
    public func run() async throws -> DriverReport {
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 4 * configuration.concurrency + 8)
        clientConfiguration.decompression = .disabled
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        let counter = RequestCounter()
        let http = ClientHTTP(client: client, target: configuration.target, appKey: configuration.appKey, counter: counter, timeout: configuration.requestTimeout)
        let jobs = (0..<configuration.wallets).flatMap { wallet in (0..<configuration.threadsPerWallet).map { (wallet, $0) } }
        var reports: [ThreadReport] = []
        await withTaskGroup(of: (Int, ThreadReport).self) { group in
            var next = 0
            func addNext() {
                guard next < jobs.count else { return }
                let (wallet, thread) = jobs[next]
                let index = next
                next += 1
                group.addTask { (index, await drive(wallet: wallet, thread: thread, http: http)) }
            }
            for _ in 0..<configuration.concurrency { addNext() }
            var collected: [(Int, ThreadReport)] = []
            for await result in group {
                collected.append(result)
                addNext()
            }
            reports = collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        try await client.shutdown()
        return DriverReport(threads: reports, requests: await counter.count)
    }

    private var script: PromptScript { PromptScript(seed: configuration.seed) }

    private func drive(wallet walletIndex: Int, thread: Int, http: ClientHTTP) async -> ThreadReport {
        let wallet = script.wallet(walletIndex)
        let session = UUID().uuidString.lowercased()
        let client = ThreadClient(
            session: session, clientID: UUID().uuidString.lowercased(), wallet: wallet, walletIndex: walletIndex, thread: thread,
            userState: ClientHTTP.userState(wallet: wallet))
        var report = ThreadReport(
            wallet: wallet.lowercased(), thread: thread, sessionID: session, sentMessages: [], messages: [],
            title: nil, events: [], walletRequests: [], walletOutcomes: [], proofs: [], listedInThreads: false, reconnects: 0, errors: [])
        let updates = UpdatesCollector()
        var listener: Task<Void, Never>?
        defer { listener?.cancel() }
        do {
            try await http.send(.POST, AomiPath.sessions, session: session, json: #"{"public_key":"\#(wallet)"}"#).expectOK("create session")
            try await registerSecrets(client, http: http)
            listener = Task { await listen(session: session, http: http, into: updates) }
            if let failure = await updates.waitForFirstAttempt() {
                report.errors.append("updates channel did not open: \(failure)")
            }
            try await sometimesUseControls(thread: thread, session: session, http: http)
            var walletRequests = WalletRequestQueue()
            for index in 0..<configuration.messagesPerThread {
                let message = script.message(wallet: walletIndex, thread: thread, index: index)
                report.sentMessages.append(message)
                try await runTurn(message: message, number: index + 1, client: client, http: http, walletRequests: &walletRequests, report: &report)
            }
            if await updates.title == nil {
                _ = await updates.waitForTitle(timeout: configuration.titleWait)
            }
            let listed = try await http.send(.GET, AomiPath.sessions, session: nil, query: [("public_key", wallet)])
            try listed.expectOK("list threads")
            let threads = try JSONCoding.decode([ThreadSummary].self, from: listed.body)
            report.listedInThreads = threads.contains { $0.sessionID == session }
            let last = try await state(client, http: http)
            try walletRequests.dispatch(last, turn: configuration.messagesPerThread)
            report.messages = last.messages.map(TranscriptMessage.init)
            report.walletRequests = walletRequests.seen.map(\.payload)
            report.title = await updates.title ?? last.title.flatMap { $0 == "New chat" ? nil : $0 }
            try await clearSecrets(client, http: http)
        } catch {
            report.errors.append("\(error)")
        }
        listener?.cancel()
        _ = await listener?.value
        report.events = await updates.events
        report.reconnects = await updates.reconnects
        return report
    }

    /// Sends a message and waits as the real client's `Session.send()` does: it dispatches the
    /// system events of every answer and polls `/api/state` every `pollInterval` until the
    /// agent is done and no wallet request is pending. The user answers each wallet request
    /// once it has waited `pollsWhileWalletPending` polls (the widget keeps polling meanwhile).
    private func runTurn(
        message: String, number: Int, client: ThreadClient, http: ClientHTTP, walletRequests: inout WalletRequestQueue, report: inout ThreadReport
    ) async throws {
        var query = [("message", message), ("public_key", client.wallet), ("user_state", client.userState), ("client_id", client.clientID)]
        if let app = configuration.app { query.append(("app", app)) }
        let sent = try await http.send(.POST, AomiPath.chat, session: client.session, query: query)
        try sent.expectOK("chat")
        var snapshot = try JSONCoding.decode(SessionSnapshot.self, from: sent.body)
        try walletRequests.dispatch(snapshot, turn: number)
        var polls = 0
        while snapshot.isProcessing || !walletRequests.isEmpty {
            guard polls < configuration.maxPollsPerTurn else {
                let waiting = snapshot.isProcessing ? "the agent is still processing" : "wallet requests \(walletRequests.pendingKeys) are still pending"
                throw AomiClientError(message: "turn \(number) did not end after \(polls) polls: \(waiting)")
            }
            if let request = walletRequests.due(after: configuration.pollsWhileWalletPending) {
                try await answer(request, client: client, http: http, report: &report)
                walletRequests.remove(request)
            }
            try await Task.sleep(for: configuration.pollInterval)
            snapshot = try await state(client, http: http)
            walletRequests.notePoll()
            try walletRequests.dispatch(snapshot, turn: number)
            polls += 1
        }
    }

    private func state(_ client: ThreadClient, http: ClientHTTP) async throws -> SessionSnapshot {
        let reply = try await http.send(.GET, AomiPath.state, session: client.session, query: [("user_state", client.userState), ("client_id", client.clientID)])
        try reply.expectOK("state")
        return try JSONCoding.decode(SessionSnapshot.self, from: reply.body)
    }

    /// Signs or rejects a wallet request (the seed decides which: one is rejected when
    /// seed + wallet + thread + its number in the thread is odd) with `POST /api/system`, whose
    /// answer the client does not read: it goes on polling.
    private func answer(_ request: PendingWalletRequest, client: ThreadClient, http: ClientHTTP, report: inout ThreadReport) async throws {
        // The seed decides, and every run with two requests or more has both answers.
        let signs = (configuration.seed % 2 + UInt64(client.walletIndex + client.thread + report.walletOutcomes.count)) % 2 == 0
        let (message, proof) = request.answer(signed: signs)
        let answered = try await http.send(.POST, AomiPath.system, session: client.session, query: [("message", message)])
        try answered.expectOK("answer \(request.name)")
        report.walletOutcomes.append("\(request.name) (\(request.label)): \(signs ? "signed" : "rejected")")
        if let proof { report.proofs.append(proof) }
    }

    /// `POST /api/secrets` without `X-Session-Id`, as the real client registers its secrets.
    private func registerSecrets(_ client: ThreadClient, http: ClientHTTP) async throws {
        guard !configuration.secrets.isEmpty else { return }
        let body = JSONCoding.encode(["client_id": JSONValue.string(client.clientID), "secrets": .object(configuration.secrets.mapValues(JSONValue.string))])
        try await http.send(.POST, AomiPath.secrets, session: nil, json: String(decoding: body, as: UTF8.self)).expectOK("register secrets")
    }

    /// One secret removed by name, then the rest, both without `X-Session-Id`.
    private func clearSecrets(_ client: ThreadClient, http: ClientHTTP) async throws {
        guard let first = configuration.secrets.keys.sorted().first else { return }
        try await http.send(.DELETE, AomiPath.secrets + "/" + first, session: nil, query: [("client_id", client.clientID)]).expectOK("remove secret")
        try await http.send(.DELETE, AomiPath.secrets, session: nil, query: [("client_id", client.clientID)]).expectOK("clear secrets")
    }

    /// Even threads set a model (after listing them), every third lists the Apps.
    private func sometimesUseControls(thread: Int, session: String, http: ClientHTTP) async throws {
        if thread % 2 == 0 {
            let models = try await http.send(.GET, AomiPath.models, session: session)
            try models.expectOK("list models")
            if let first = try JSONCoding.decode([String].self, from: models.body).first {
                try await http.send(.POST, AomiPath.model, session: session, query: [("rig", first)]).expectOK("set model")
            }
        }
        if thread % 3 == 0 {
            try await http.send(.GET, AomiPath.apps, session: session).expectOK("list apps")
        }
    }

    /// Keeps the updates channel open until cancelled, reconnecting with the client's backoff.
    private func listen(session: String, http: ClientHTTP, into updates: UpdatesCollector) async {
        var delay = configuration.reconnectDelay
        while !Task.isCancelled {
            do {
                let response = try await http.openUpdates(session: session)
                if response.status == .ok {
                    await updates.markConnected()
                    delay = configuration.reconnectDelay
                } else {
                    await updates.markFailedAttempt("HTTP \(response.status.code)")
                }
                var parser = ServerSentEventParser()
                for try await chunk in response.body {
                    for event in parser.feed(chunk.readableBytesView) {
                        if let update = event.updateEvent { await updates.add(update) }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                await updates.markFailedAttempt("\(error)")
            }
            if Task.isCancelled { return }
            await updates.noteReconnect()
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, configuration.reconnectCap)
        }
    }
}
