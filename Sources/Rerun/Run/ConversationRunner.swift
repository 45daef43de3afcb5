import AomiAPI
import AomiClient
import Conversation
import Foundation
import NIOHTTP1

/// Sends one recorded conversation to a backend again as the real client would: a new session
/// id and `client_id`, the thread created, the secrets it has values for, `/api/updates` kept
/// open, the model chosen, and each message once the previous turn has ended, polling
/// `/api/state` and answering wallet requests with fresh proofs.
///
/// It is no kinder than the client: a wallet request handed out again after its answer ends
/// the turn as failed, where the client would wait forever.
struct ConversationRunner {
    let conversation: RecordedConversation
    let configuration: RerunConfiguration
    let http: ClientHTTP
    /// The new session's id (already marked as a rerun of the original by the caller).
    let session: String

    /// What happened, by turn number (0: before the first turn), and notes for the report.
    struct Outcome: Sendable {
        var failures: [Int: String] = [:]
        var notes: [String] = []
    }

    func run() async -> Outcome {
        var outcome = Outcome()
        let clientID = UUID().uuidString.lowercased()
        let wallet = conversation.wallet ?? conversation.userTurns.lazy.compactMap(\.publicKey).first
        let listener = UpdatesListener(http: http, session: session, reconnectDelay: configuration.reconnectDelay)
        defer { listener.stop() }
        var turnNumber = 0
        do {
            try await http.send(.POST, AomiPath.sessions, session: session, json: Self.creation(wallet: wallet)).expectOK("create session")
            let registered = try await registerSecrets(clientID: clientID, notes: &outcome.notes)
            listener.start()
            if let failure = await listener.firstAttempt() { outcome.notes.append("the updates channel did not open: \(failure)") }
            var answers = WalletAnswers(policy: configuration.answer, recorded: conversation.walletAnswers, waits: conversation.walletAnswerWaits)
            if let note = pollIntervalNote() { outcome.notes.append(note) }
            for step in conversation.steps {
                switch step {
                case let .chooseModel(rig):
                    try await http.send(.POST, AomiPath.model, session: session, query: [("rig", rig)]).expectOK("choose model \(rig)")
                case let .chat(user):
                    turnNumber += 1
                    try await runTurn(user, number: turnNumber, clientID: clientID, wallet: wallet, answers: &answers)
                }
            }
            outcome.notes += answers.notes
            if registered {
                try await http.send(.DELETE, AomiPath.secrets, session: nil, query: [("client_id", clientID)]).expectOK("clear secrets")
            }
        } catch is CancellationError {
            outcome.failures[turnNumber] = "interrupted"
        } catch {
            outcome.failures[turnNumber] = Task.isCancelled ? "interrupted" : "\(error)"
        }
        return outcome
    }

    /// Sends a message and waits as `Session.send()` does: every answer's system events
    /// dispatched, `/api/state` polled until the agent is done and no wallet request is
    /// pending, each request answered after as many polls as the user took in the original.
    private func runTurn(_ user: UserTurn, number: Int, clientID: String, wallet: String?, answers: inout WalletAnswers) async throws {
        let deadline = ContinuousClock.now + configuration.turnTimeout
        let userState = user.userState ?? Self.defaultUserState(wallet: wallet)
        var query = [("message", user.message)]
        if let key = user.publicKey ?? wallet { query.append(("public_key", key)) }
        query += [("user_state", userState), ("client_id", clientID)]
        if let app = user.app { query.append(("app", app)) }
        let sent = try await http.send(.POST, AomiPath.chat, session: session, query: query)
        try sent.expectOK("chat")
        var snapshot = try decode(sent.body, "chat")
        var walletRequests = WalletRequestQueue()
        try walletRequests.dispatch(snapshot, turn: number)
        while snapshot.isProcessing || !walletRequests.isEmpty {
            guard ContinuousClock.now < deadline else {
                let waiting = snapshot.isProcessing ? "the agent was still processing" : "wallet requests \(walletRequests.pendingKeys) were still pending"
                throw AomiClientError(message: "the turn did not end within \(configuration.turnTimeout): \(waiting)")
            }
            if let request = walletRequests.due(after: answers.pollsBeforeNextAnswer) {
                let (message, _) = request.answer(signed: answers.next(for: request) == .signed)
                try await http.send(.POST, AomiPath.system, session: session, query: [("message", message)]).expectOK("answer \(request.name)")
                walletRequests.remove(request)
            }
            try await Task.sleep(for: configuration.pollInterval)
            let polled = try await http.send(.GET, AomiPath.state, session: session, query: [("user_state", userState), ("client_id", clientID)])
            try polled.expectOK("state")
            snapshot = try decode(polled.body, "state")
            walletRequests.notePoll()
            try walletRequests.dispatch(snapshot, turn: number)
        }
    }

    /// `POST /api/secrets` with the secrets given values; the others are named in a note and
    /// left out (a token is never sent as if it were a value). True when something was registered.
    private func registerSecrets(clientID: String, notes: inout [String]) async throws -> Bool {
        var values: [String: JSONValue] = [:]
        var lacking: [String] = []
        for name in conversation.secretNames {
            if let value = configuration.secret(named: name) { values[name] = .string(value) } else { lacking.append(name) }
        }
        for header in conversation.secretHeaders where configuration.secret(named: header) == nil { lacking.append(header) }
        if !lacking.isEmpty {
            notes.append("lacks secrets \(lacking.joined(separator: ", ")) (give them with --secret NAME=ENVVAR); went on without them")
        }
        guard !values.isEmpty else { return false }
        let body = JSONCoding.encode(["client_id": JSONValue.string(clientID), "secrets": .object(values)])
        try await http.send(.POST, AomiPath.secrets, session: nil, json: String(decoding: body, as: UTF8.self)).expectOK("register secrets")
        return true
    }

    /// Timing is compared in polls: a note when the original client polled faster than this
    /// rerun does. (A slower one cannot be told from the records alone: a busy machine lengthens
    /// every recorded pause.) A recorded pause can also be a few milliseconds short of the
    /// client's interval, since an answer is dated once its last bytes went on to the client;
    /// `pauseSlack` keeps that from reading as a faster client.
    private func pollIntervalNote() -> String? {
        guard let recorded = conversation.pollInterval, recorded * 2 + Self.pauseSlack < configuration.pollInterval else { return nil }
        return "the original client polled at least every \(Self.milliseconds(recorded)) ms, this rerun every "
            + "\(Self.milliseconds(configuration.pollInterval)) ms (--poll-interval): timing, counted in polls, does not compare"
    }

    static let pauseSlack = Duration.milliseconds(20)

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    private static func creation(wallet: String?) -> String {
        wallet.map { #"{"public_key":"\#($0)"}"# } ?? "{}"
    }

    /// The `user_state` the real client sends for a connected wallet, for a turn recorded
    /// without one (a crawl's transcript).
    private static func defaultUserState(wallet: String?) -> String {
        wallet.map(ClientHTTP.userState(wallet:)) ?? #"{"is_connected":false}"#
    }

    private func decode(_ body: [UInt8], _ what: String) throws -> SessionSnapshot {
        do {
            return try JSONCoding.decode(SessionSnapshot.self, from: body)
        } catch {
            throw AomiClientError(message: "\(what): the answer is not a session snapshot: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
    }
}
