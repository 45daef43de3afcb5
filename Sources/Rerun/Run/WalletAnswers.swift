import AomiClient
import Conversation

/// The verdicts a rerun gives the wallet requests it is handed, in order: as recorded, or as
/// `--answer` says.
struct WalletAnswers {
    let policy: RerunConfiguration.AnswerPolicy
    let recorded: [WalletVerdict]
    /// Polls the user waited before each recorded answer.
    let waits: [Int]
    private var given = 0
    private(set) var notes: [String] = []

    init(policy: RerunConfiguration.AnswerPolicy, recorded: [WalletVerdict], waits: [Int] = []) {
        self.policy = policy
        self.recorded = recorded
        self.waits = waits
    }

    /// Polls to wait before giving the next answer: as long as the user took for the same
    /// answer in the original, one poll when that is not known.
    var pollsBeforeNextAnswer: Int {
        given < waits.count ? max(0, waits[given]) : 1
    }

    mutating func next(for request: PendingWalletRequest) -> WalletVerdict {
        defer { given += 1 }
        switch policy {
        case .sign: return .signed
        case .reject: return .rejected
        case .recorded:
            if given < recorded.count { return recorded[given] }
            notes.append("\(request.name) has no recorded answer (the original answered \(recorded.count)): rejected")
            return .rejected
        }
    }
}
