import AomiAPI

/// One session (thread) of the stand-in backend.
struct SimulatedSession: Sendable {
    let id: String
    let order: Int
    var wallet: WalletAddress?
    var title = "New chat"
    var titleHistory: [String] = ["New chat"]
    var isTitled = false
    var messages: [ChatMessage] = []
    /// Every system event the session raised: `GET /api/events` lists them.
    var systemEvents: [JSONValue] = []
    /// How many of `systemEvents` an answer has handed out: the rest wait for the next one.
    var handedOutEvents = 0
    var isProcessing = false
    var isArchived = false
    var userState: JSONValue?
    var rig: String?
    var turns = 0
    /// Wallet requests waiting for the client's answer, by their number.
    var pendingTransactions: [Int: WalletAsk] = [:]
    var pendingSignatures: [Int: WalletAsk] = [:]
    var walletRequests = 0

    /// The snapshot an answer to `/api/chat`, `/api/state` or `/api/interrupt` carries, as the
    /// real backend's queue hands events out: its `system_events` are those raised since the
    /// session's previous such answer, and are then handed out.
    mutating func handOutSnapshot() -> SessionSnapshot {
        let fresh = Array(systemEvents[handedOutEvents...])
        handedOutEvents = systemEvents.count
        return snapshot(systemEvents: fresh)
    }

    /// A snapshot that hands no event out (the answer to `/api/system`, which the client does
    /// not read): the queued events wait for the next poll.
    var snapshotKeepingEvents: SessionSnapshot { snapshot(systemEvents: []) }

    private func snapshot(systemEvents: [JSONValue]) -> SessionSnapshot {
        SessionSnapshot(messages: messages, systemEvents: systemEvents, title: title, isProcessing: isProcessing, userState: reportedUserState)
    }

    /// The client's `user_state` with the pending wallet requests the backend adds to it
    /// (`pending_txs`, `pending_eip712s`, keyed by number), as the real client reads them.
    private var reportedUserState: JSONValue? {
        guard !pendingTransactions.isEmpty || !pendingSignatures.isEmpty else { return userState }
        var members = userState?.objectValue ?? [:]
        if !pendingTransactions.isEmpty {
            members["pending_txs"] = .object(Dictionary(uniqueKeysWithValues: pendingTransactions.map { (String($0.key), $0.value.pendingEntry) }))
        }
        if !pendingSignatures.isEmpty {
            members["pending_eip712s"] = .object(Dictionary(uniqueKeysWithValues: pendingSignatures.map { (String($0.key), $0.value.pendingEntry) }))
        }
        return .object(members)
    }

    var summary: ThreadSummary {
        ThreadSummary(sessionID: id, title: title)
    }
}
