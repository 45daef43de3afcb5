import AomiArchive

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
    /// The whole response, or the head of a stream whose events follow. A recorded response
    /// is made when asked for (`RecordedAnswerParts`): the server asks only the first time it
    /// serves that answer that way, and writes the bytes it made then afterwards.
    public var answer: ReplayAnswer {
        switch content {
        case let .made(answer): answer
        case let .recorded(parts): parts.make()
        }
    }
    private var content: Content
    /// How long to wait before writing (the recorded clock).
    public var delay: Duration
    /// The client session whose events follow the head, for an updates stream.
    public var streamSession: String?
    /// What went to the log (misses, rejections, unreadable bodies).
    public var explanation: String?
    /// For a recorded answer (not a stream's head): which one, served how, so that its bytes
    /// are made once and written again for every request it answers the same way.
    var recorded: RecordedAnswerID? = nil

    private enum Content: Sendable {
        case made(ReplayAnswer)
        case recorded(RecordedAnswerParts)
    }

    public init(kind: Kind, status: Int, answer: ReplayAnswer, delay: Duration, streamSession: String?, explanation: String?) {
        self.init(kind: kind, status: status, content: .made(answer), delay: delay, streamSession: streamSession, explanation: explanation)
    }

    /// A recorded response, made into an answer only when asked for.
    init(hit parts: RecordedAnswerParts, delay: Duration, as recorded: RecordedAnswerID) {
        self.init(kind: .hit, status: parts.status, content: .recorded(parts), delay: delay, streamSession: nil, explanation: nil)
        self.recorded = recorded
    }

    private init(kind: Kind, status: Int, content: Content, delay: Duration, streamSession: String?, explanation: String?) {
        self.kind = kind
        self.status = status
        self.content = content
        self.delay = delay
        self.streamSession = streamSession
        self.explanation = explanation
    }
}

/// What a recorded response is served from: its status, fields and body as recorded, and the
/// session ids to replace in the body. Making the answer (the replacement, the replay's
/// marker) is left until it is asked for.
struct RecordedAnswerParts: Sendable {
    var status: Int
    var reason: String
    var fields: [HTTPMessageHead.Field]
    var body: [UInt8]
    var rewrite: SessionRewrite

    func make() -> ReplayAnswer {
        ReplayAnswer(
            status: status, reason: reason, fields: fields + [ReplayAnswer.marker("hit")],
            body: rewrite.isEmpty ? body : rewrite.apply(body))
    }
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
