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
    var systemEvents: [JSONValue] = []
    var isProcessing = false
    var isArchived = false
    var userState: JSONValue?
    var rig: String?
    var turns = 0

    var snapshot: SessionSnapshot {
        SessionSnapshot(messages: messages, systemEvents: systemEvents, title: title, isProcessing: isProcessing, userState: userState)
    }

    var summary: ThreadSummary {
        ThreadSummary(sessionID: id, title: title)
    }
}
