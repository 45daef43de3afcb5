/// One turn, original against rerun: its verdict, the fields that differ, both timings.
public struct TurnComparison: Sendable, Hashable, Codable {
    public var number: Int
    public var message: String
    public var verdict: TurnVerdict
    public var differences: [FieldDifference]
    public var originalTiming: TurnTiming?
    public var rerunTiming: TurnTiming?
    /// Why the rerun's turn failed (HTTP error, timeout, never ended).
    public var failure: String?
    /// The user's message as each side sent it, the agent's text and wallet requests, for the
    /// two-column view.
    public var original: ConversationTurn?
    public var rerun: ConversationTurn?

    public init(
        number: Int, message: String, verdict: TurnVerdict, differences: [FieldDifference], originalTiming: TurnTiming?, rerunTiming: TurnTiming?,
        failure: String?, original: ConversationTurn?, rerun: ConversationTurn?
    ) {
        self.number = number
        self.message = message
        self.verdict = verdict
        self.differences = differences
        self.originalTiming = originalTiming
        self.rerunTiming = rerunTiming
        self.failure = failure
        self.original = original
        self.rerun = rerun
    }
}
