import Conversation

/// Everything a rerun found: each original session with its reruns compared, and the tally.
public struct RerunReport: Sendable, Codable {
    /// One recorded session and its reruns (several with `--repeat`).
    public struct SessionResult: Sendable, Codable {
        public var original: String
        public var wallet: String?
        public var turns: Int
        public var reruns: [ConversationComparison]
        /// Each difference found and in how many of the reruns (`turn 2: wallet request changed` → 3).
        public var reproductions: [String: Int]

        /// The most serious verdict over its reruns.
        public var verdict: TurnVerdict { reruns.map(\.verdict).max() ?? .same }
    }

    public var upstream: String
    /// Where the rerun's records went.
    public var recordedInto: String
    public var repeats: Int
    public var sessions: [SessionResult]
    /// Whether Ctrl-C stopped it before every rerun ran.
    public var interrupted: Bool

    /// Sessions whose every rerun was `same`, that changed (text, tools, wallet requests), and
    /// that failed.
    public var tally: (same: Int, changed: Int, failed: Int) {
        var tally = (same: 0, changed: 0, failed: 0)
        for session in sessions {
            switch session.verdict {
            case .same: tally.same += 1
            case .failed: tally.failed += 1
            default: tally.changed += 1
            }
        }
        return tally
    }

    /// Every turn comparison of every rerun.
    public var allTurns: [TurnComparison] { sessions.flatMap(\.reruns).flatMap(\.turns) }

    /// Whether any turn changed what the agent did (tools, wallet requests) or failed: the
    /// exit status of a regression run.
    public var hasStructuralChange: Bool {
        sessions.contains { $0.verdict.isStructural }
    }

    private enum CodingKeys: String, CodingKey {
        case upstream
        case recordedInto = "recorded_into"
        case repeats, sessions, interrupted, summary
    }

    private struct Summary: Codable {
        var same: Int
        var changed: Int
        var failed: Int
        var structural_change: Bool
    }

    public init(upstream: String, recordedInto: String, repeats: Int, sessions: [SessionResult], interrupted: Bool) {
        self.upstream = upstream
        self.recordedInto = recordedInto
        self.repeats = repeats
        self.sessions = sessions
        self.interrupted = interrupted
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        upstream = try container.decode(String.self, forKey: .upstream)
        recordedInto = try container.decode(String.self, forKey: .recordedInto)
        repeats = try container.decode(Int.self, forKey: .repeats)
        sessions = try container.decode([SessionResult].self, forKey: .sessions)
        interrupted = try container.decode(Bool.self, forKey: .interrupted)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(upstream, forKey: .upstream)
        try container.encode(recordedInto, forKey: .recordedInto)
        try container.encode(repeats, forKey: .repeats)
        try container.encode(sessions, forKey: .sessions)
        try container.encode(interrupted, forKey: .interrupted)
        let tally = self.tally
        try container.encode(Summary(same: tally.same, changed: tally.changed, failed: tally.failed, structural_change: hasStructuralChange), forKey: .summary)
    }
}

/// How far a rerun has got: sessions done of all.
public struct RerunProgress: Sendable {
    public var done: Int
    public var total: Int
    public var original: String
    public var verdict: TurnVerdict?
}
