import AomiAPI

/// What the recorder remembers of each session: the wallet it was bound to (learned from any
/// request that names one) and the number of its last exchange.
actor SessionDirectory {
    private var wallets: [String: WalletAddress] = [:]
    private var sequences: [String: Int] = [:]

    /// Learns from a request's identity and returns the wallet and the exchange's sequence number.
    func admit(_ identity: RequestIdentity) -> (wallet: WalletAddress?, sequence: Int?) {
        guard let session = identity.sessionID else { return (identity.wallet, nil) }
        if let wallet = identity.wallet { wallets[session] = wallet }
        let sequence = (sequences[session] ?? 0) + 1
        sequences[session] = sequence
        return (wallets[session], sequence)
    }
}
