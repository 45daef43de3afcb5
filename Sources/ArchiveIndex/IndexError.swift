/// Why indexing or a query could not be done, with what a person needs to fix it.
public enum IndexError: Error, Sendable, CustomStringConvertible {
    case database(path: String, reason: String)
    case noIndex(path: String)
    case invalidQuery(String, reason: String)
    case invalidTime(String)
    case timeOutOfRange(String)
    case archiveRoot(path: String, reason: String)
    case unknownSession(String)
    /// A `wallet:` filter (an address or its start) that no indexed thread's wallet begins with.
    case unknownWallet(String)

    public var description: String {
        switch self {
        case let .database(path, reason): "index \(path): \(reason)"
        case let .noIndex(path): "no index at \(path): run `aomi-archive index` first"
        case let .invalidQuery(query, reason): "search \"\(query.count > 200 ? query.prefix(200) + "…" : query[...])\": \(reason)"
        case let .invalidTime(text): "time \"\(text)\" is neither ISO 8601 (2026-11-26, 2026-11-26T10:00:00Z) nor relative (30m, 24h, 7d, 2w)"
        case let .timeOutOfRange(text): "time \"\(text)\" lies outside the years 1 to 9999"
        case let .archiveRoot(path, reason): "archive root \(path): \(reason)"
        case let .unknownSession(id): "no session \(id) in the index"
        case let .unknownWallet(wallet):
            wallet.count == 42 ? "no thread of wallet \(wallet) in the index" : "no wallet in the index begins with \(wallet)"
        }
    }
}
