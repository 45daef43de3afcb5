import AomiAPI

/// One thing that happens in a simulated agent turn, applied at once on the backend, and how
/// long the clock pacing waits before it.
struct TurnStep: Sendable {
    enum Action: Sendable {
        /// Nothing happens: the agent is still thinking.
        case think
        case toolProgress(tool: String, percent: Int)
        case toolComplete(tool: String, result: String)
        /// A piece of the reply: the first one starts the agent's message, the last one ends it.
        case replyPiece(String, isFirst: Bool, isLast: Bool, toolResult: [String]?)
        case title(String)
        /// The turn ends: the wallet request it raises, if any, and `is_processing` false.
        case finish(walletAsk: WalletAsk?)
    }

    var delay: Duration
    var action: Action
}
