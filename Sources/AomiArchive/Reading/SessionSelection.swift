/// Which recorded sessions a replay serves: all of them, a wallet's, or named ones.
public struct SessionSelection: Sendable, Equatable {
    public var wallet: String?
    public var sessions: [String]

    public init(wallet: String? = nil, sessions: [String] = []) {
        self.wallet = wallet?.lowercased()
        self.sessions = sessions
    }

    /// Whether the session `session` of wallet `sessionWallet` is selected.
    public func includes(session: String, wallet sessionWallet: String?) -> Bool {
        if !sessions.isEmpty, !sessions.contains(session) { return false }
        if let wallet, sessionWallet?.lowercased() != wallet { return false }
        return true
    }
}
