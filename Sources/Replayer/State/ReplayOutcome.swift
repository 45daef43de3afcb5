/// What the replay answers to one request: the bytes to write and, for an updates stream,
/// the session whose events follow.
public struct ReplayOutcome: Sendable {
    public enum Kind: String, Sendable {
        /// A recorded answer.
        case hit
        /// Nothing recorded matches (404, `X-Aomi-Replay: miss`).
        case miss
        /// A recorded answer exists but the App key sent does not match the recorded one.
        case rejected
        /// A recorded answer whose body can no longer be read from its file (500,
        /// `X-Aomi-Replay: unreadable`).
        case unreadable
    }

    public var kind: Kind
    public var status: Int
    /// The whole response, or the head of a stream whose events follow.
    public var answer: ReplayAnswer
    /// How long to wait before writing (the recorded clock).
    public var delay: Duration
    /// The client session whose events follow the head, for an updates stream.
    public var streamSession: String?
    /// What went to the log (misses, rejections, unreadable bodies).
    public var explanation: String?
    /// For a recorded answer (not a stream's head): which one, served how, so that its bytes
    /// are made once and written again for every request it answers the same way.
    var recorded: RecordedAnswerID? = nil
}

/// A recorded answer as the replay serves it: the exchange's place in its script, whether it
/// is served again past the recording (its body then drained of one-off events), and the
/// session ids replaced in it for the client.
struct RecordedAnswerID: Hashable, Sendable {
    var script: Int
    var exchange: Int
    var repeated: Bool
    var rewrite: SessionRewrite
}
