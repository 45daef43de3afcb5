import AomiAPI
import AomiArchive

/// A recorded session read as a conversation: what the user's client sent, in order (to send
/// it again), and what each turn showed (to compare it).
public struct RecordedConversation: Sendable {
    public var sessionID: String
    public var wallet: String?
    /// The session this one reruns (`Aomi-Rerun-Of`).
    public var rerunOf: String?
    /// Whether it was read from its transcript alone (a `crawl`: no live chat requests).
    public var fromTranscript: Bool
    /// Whether an updates channel was recorded: tool events and update notices are compared
    /// only when both sides have one.
    public var hasUpdatesChannel: Bool
    public var steps: [UserStep]
    /// The user's answers to wallet requests, in order.
    public var walletAnswers: [WalletVerdict]
    /// Names registered with `POST /api/secrets` (their values are tokens in the archive).
    public var secretNames: [String]
    /// Request header fields that carried a redacted value (`X-API-Key`, `Authorization`).
    public var secretHeaders: [String]
    /// The last title announced or shown.
    public var title: String?
    public var turns: [ConversationTurn]
    /// Wallet requests that no turn can be given (a crawl's `GET /api/events` history).
    public var sessionWalletRequests: [WalletRequestSummary]
    /// Transaction hashes and signatures the user's answers carried: masked where text is compared.
    public var proofs: [String]
    /// For each answer, the polls the client made between seeing the request and answering it
    /// (the time the user took, in the client's unit).
    public var walletAnswerWaits: [Int] = []
    /// The client's shortest pause between an answer and its next poll: about its poll
    /// interval (load lengthens it; answers dated after they reached the client can make it a
    /// few milliseconds shorter); nil when it polled too little to tell.
    public var pollInterval: Duration? = nil

    /// The messages the user sent, in order.
    public var userTurns: [UserTurn] {
        steps.compactMap { step in
            if case let .chat(turn) = step { return turn }
            return nil
        }
    }

    /// The model the user chose, if any.
    public var model: String? {
        steps.lazy.compactMap { step in
            if case let .chooseModel(rig) = step { return rig }
            return nil
        }.first
    }
}
