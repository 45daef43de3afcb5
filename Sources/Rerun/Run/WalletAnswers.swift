import AomiClient
import Conversation

/// The verdicts a rerun gives the wallet requests it is handed, in order: as recorded, or as
/// `--answer` says.
struct WalletAnswers {
    let policy: RerunConfiguration.AnswerPolicy
    let recorded: [WalletVerdict]
    private var given = 0
    private(set) var notes: [String] = []

    init(policy: RerunConfiguration.AnswerPolicy, recorded: [WalletVerdict]) {
        self.policy = policy
        self.recorded = recorded
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
