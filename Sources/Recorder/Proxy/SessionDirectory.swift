import AomiAPI

/// What the recorder remembers of each session: the wallet it was bound to (learned from any
/// request that names one) and the number of its last exchange.
actor SessionDirectory {
    private var wallets: [String: WalletAddress] = [:]
    private var sequences: [String: Int] = [:]

    /// Numbers a request of `session` in order of arrival (nil without a session).
    func nextSequence(of session: String?) -> Int? {
        guard let session else { return nil }
        let sequence = (sequences[session] ?? 0) + 1
        sequences[session] = sequence
        return sequence
    }

    /// Learns the wallet a request names, and returns the wallet its session is bound to.
    func wallet(for identity: RequestIdentity) -> WalletAddress? {
        guard let session = identity.sessionID else { return identity.wallet }
        if let wallet = identity.wallet { wallets[session] = wallet }
        return wallets[session]
    }
}
