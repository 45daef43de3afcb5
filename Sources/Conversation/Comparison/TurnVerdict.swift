/// How a rerun's turn compares with the original's, from the least to the most serious.
public enum TurnVerdict: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case same
    case textChanged = "text changed"
    case toolsChanged = "tools changed"
    case walletRequestChanged = "wallet request changed"
    /// An HTTP error, a timeout, a turn that never ended.
    case failed

    /// A change of what the agent did rather than of what it said: what a regression suite fails on.
    public var isStructural: Bool {
        switch self {
        case .same, .textChanged: false
        case .toolsChanged, .walletRequestChanged, .failed: true
        }
    }

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: TurnVerdict, rhs: TurnVerdict) -> Bool { lhs.rank < rhs.rank }
}

/// One field that differs between the original and the rerun.
public struct FieldDifference: Sendable, Hashable, Codable {
    /// What differs: `agent text`, `tools`, `wallet request 1 value`, `title`.
    public var field: String
    public var verdict: TurnVerdict
    public var original: String
    public var rerun: String
    /// The word diff, for text.
    public var wordDiff: String?

    public init(field: String, verdict: TurnVerdict, original: String, rerun: String, wordDiff: String? = nil) {
        self.field = field
        self.verdict = verdict
        self.original = original
        self.rerun = rerun
        self.wordDiff = wordDiff
    }
}
