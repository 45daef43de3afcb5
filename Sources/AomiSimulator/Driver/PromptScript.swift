import AomiAPI

/// The messages and wallets a driver uses: deterministic from its seed.
struct PromptScript: Sendable {
    let seed: UInt64

    /// Prompts in rotation: a tool (price), a plain question, a wallet request (swap), …
    static let prompts = [
        "What is the price of ETH right now?",
        "How does staking work on this chain?",
        "Swap 0.5 ETH to USDC for me",
        "Show me my portfolio",
        "Is it a good time to bridge to Arbitrum?",
        "Send 25 USDC to my other wallet",
        "What is the price of WBTC today?",
        "Explain what slippage means",
        "Sign a gasless USDC permit for the router",
    ]

    func message(wallet: Int, thread: Int, index: Int) -> String {
        let offset = Int((seed &- 1) % UInt64(Self.prompts.count))
        return Self.prompts[(offset + thread + index) % Self.prompts.count]
    }

    /// A checksummed-looking (mixed case) address, so that clients' letter case varies as in reality.
    func wallet(_ index: Int) -> String {
        var random = SeededRandom(seed: seed, "wallet", String(index))
        let hex = (0..<40).map { _ in
            let digit = String(random.int(in: 0...15), radix: 16)
            return random.int(in: 0...1) == 0 ? digit : digit.uppercased()
        }
        return "0x" + hex.joined()
    }
}
