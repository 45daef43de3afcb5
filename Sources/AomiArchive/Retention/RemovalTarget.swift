import AomiAPI

/// What `forget` removes: every record of one wallet (its folder, its sessions wherever they
/// were recorded, and any exchange that names it) or of one session.
public enum RemovalTarget: Sendable, Equatable, CustomStringConvertible {
    case wallet(WalletAddress)
    case session(String)

    /// `wallet` or `session`, for the log and reports.
    public var kind: String {
        switch self {
        case .wallet: "wallet"
        case .session: "session"
        }
    }

    /// The id as given (the wallet in lower case).
    public var id: String {
        switch self {
        case let .wallet(wallet): wallet.value
        case let .session(session): session
        }
    }

    public var description: String { "\(kind) \(id)" }
}
