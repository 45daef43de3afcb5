/// What stops a replay, verification or export from starting, with what a person needs to fix it.
public enum ReplayerError: Error, CustomStringConvertible, Equatable {
    case noArchives(path: String)
    case unreadableArchive(path: String, reason: String)
    case nothingSelected(wallet: String?, sessions: [String], loadedSessions: Int)
    case cannotListen(address: String, reason: String)
    case badFallback(url: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .noArchives(path): "no .warc.gz archives under \(path)"
        case let .unreadableArchive(path, reason): "cannot read \(path): \(reason)"
        case let .nothingSelected(wallet, sessions, loaded):
            "no recorded session matches" + (wallet.map { " wallet \($0)" } ?? "") + (sessions.isEmpty ? "" : " session \(sessions.joined(separator: ", "))")
                + " (\(loaded) sessions loaded)"
        case let .cannotListen(address, reason): "cannot listen on \(address): \(reason)"
        case let .badFallback(url, reason): "bad --fallback \(url): \(reason)"
        case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
        }
    }
}
