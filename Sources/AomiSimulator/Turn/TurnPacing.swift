/// What moves a simulated agent turn from one step to the next (the agent's thinking, each tool
/// progress event, each piece of the streamed reply, the title).
///
/// The real backend works in wall-clock time, and so does `clock`. But what a client then sees,
/// how many polls show the reply half written, whether a title arrives before the next message,
/// depends on how fast the machine runs the client: a test that must see a partial reply would
/// pass on a quiet machine and fail on a busy one. `polls` ties every step to the client's own
/// requests instead, so the same requests always see the same snapshots.
public enum TurnPacing: Sendable, Equatable {
    /// Each step waits its configured time (think time, chunk interval, title delay).
    case clock
    /// Each step is taken right after the session's `n`th next `GET /api/state` has been
    /// answered, so every snapshot is seen `n` times; the title is a step of the first turn.
    case polls(Int)
}

extension TurnPacing: CustomStringConvertible {
    /// `clock` or `polls:N`, as the command line spells it.
    public var description: String {
        switch self {
        case .clock: "clock"
        case let .polls(count): "polls:\(count)"
        }
    }

    /// Parses `clock` or `polls:N` (N ≥ 1).
    public init?(_ text: String) {
        if text == "clock" {
            self = .clock
        } else if text.hasPrefix("polls:"), let count = Int(text.dropFirst("polls:".count)), count >= 1 {
            self = .polls(count)
        } else {
            return nil
        }
    }
}
