/// What stops a replay or verification from starting, with what a person needs to fix it.
public enum ReplayerError: Error, CustomStringConvertible, Equatable {
    case nothingSelected(wallet: String?, sessions: [String], loadedSessions: Int)
    case cannotListen(address: String, reason: String)
    case badFallback(url: String, reason: String)

    public var description: String {
        switch self {
        case let .nothingSelected(wallet, sessions, loaded):
            "no recorded session matches" + (wallet.map { " wallet \($0)" } ?? "") + (sessions.isEmpty ? "" : " session \(sessions.joined(separator: ", "))")
                + " (\(loaded) sessions loaded)"
        case let .cannotListen(_, reason): reason
        case let .badFallback(url, reason): "bad --fallback \(url): \(reason)"
        }
    }
}
