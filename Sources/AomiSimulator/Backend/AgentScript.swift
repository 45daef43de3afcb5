import AomiAPI

/// What the simulated agent does with a message: a deterministic function of the seed, the
/// message and the turn number.
struct AgentScript: Sendable {
    /// A tool the agent runs before answering.
    struct ToolRun: Sendable {
        var name: String
        var topic: String
        var result: String
    }

    struct Turn: Sendable {
        var reply: String
        var tool: ToolRun?
        var walletAsk: WalletAsk?
    }

    let seed: UInt64
    var variant: SimulatorVariant? = nil

    func turn(for message: String, number: Int) -> Turn {
        var turn = plainTurn(for: message, number: number)
        if variant == .noWallet { turn.walletAsk = nil }
        return turn
    }

    private func plainTurn(for message: String, number: Int) -> Turn {
        var random = SeededRandom(seed: seed, message, String(number))
        let lower = message.lowercased()
        let asset = Self.assets.first { lower.contains($0.lowercased()) } ?? random.pick(Self.assets)
        var tool: ToolRun?
        var walletAsk: WalletAsk?
        var reply: String
        if lower.contains("price") {
            let price = Self.money(random.int(in: 10_000...450_000))
            tool = ToolRun(name: "get_price", topic: "price:\(asset)", result: "\(asset) trades at \(price)")
            reply = "The current price of \(asset) is \(price), \(random.pick(["up", "down"])) \(random.int(in: 1...9)).\(random.int(in: 0...9))% over 24 hours."
        } else if lower.contains("portfolio") || lower.contains("balance") {
            let total = Self.money(random.int(in: 100_000...9_000_000))
            let assets = random.int(in: 2...6)
            tool = ToolRun(name: "get_portfolio", topic: "portfolio", result: "\(assets) assets worth \(total)")
            reply = "Your portfolio holds \(assets) assets worth \(total) in total; the largest position is \(asset)."
        } else if lower.contains("permit") || lower.contains("sign") {
            let spender = "0x" + (0..<40).map { _ in String(random.int(in: 0...15), radix: 16) }.joined()
            let amount = String(random.int(in: 1...9_999) * 1_000_000)
            walletAsk = .signature(
                typedData: .object([
                    "primaryType": .string("Permit"),
                    "domain": .object(["name": .string(asset), "version": .string("1"), "chainId": .number(1)]),
                    "message": .object([
                        "spender": .string(spender), "value": .string(amount), "nonce": .number(Double(number)),
                        "deadline": .number(Double(1_800_000_000 + random.int(in: 0...9_999_999))),
                    ]),
                ]), description: "Permit the router to spend \(asset)")
            reply = "I prepared a gasless permit for \(asset). Please sign it in your wallet; nothing is sent on chain."
        } else if lower.contains("swap") || lower.contains("send") {
            let isSwap = lower.contains("swap")
            let scale = variant == .amounts ? 10 : 1
            let amount = "\(random.int(in: 1...20) * scale).\(random.int(in: 0...99))"
            walletAsk = .transaction(
                to: "0x" + (0..<40).map { _ in String(random.int(in: 0...15), radix: 16) }.joined(),
                value: String(random.int(in: 1...999_999) * 1_000_000_000 * scale), data: isSwap ? "0x38ed1739" : "0x", chainID: 1,
                label: isSwap ? "Swap \(amount) \(asset)" : "Send \(amount) \(asset)")
            reply =
                isSwap
                ? "I prepared a swap of \(amount) \(asset) with \(random.int(in: 1...9)) basis points of slippage. Please confirm the transaction in your wallet."
                : "I prepared a transfer of \(amount) \(asset). Please confirm it in your wallet."
        } else {
            reply = (0..<random.int(in: 2...4)).map { _ in random.pick(Self.sentences) }.joined(separator: " ")
        }
        return Turn(reply: reply, tool: tool, walletAsk: walletAsk)
    }

    /// The agent's answer once the wallet request `label` was signed (`success`) or not.
    func walletOutcome(_ label: String, signed: Bool, proof: String, isTransaction: Bool) -> String {
        switch (signed, isTransaction) {
        case (true, true): return "Done: \(label) was submitted in transaction \(proof). I will tell you when it is confirmed."
        case (true, false): return "Thanks, the permit is signed (\(proof)); the router can use it for the next swap."
        case (false, true): return "Understood, you rejected the transaction (\(label)); nothing was sent."
        case (false, false): return "Understood, you did not sign the permit; nothing changed."
        }
    }

    /// A title from the first message: its first few meaningful words, capitalised.
    func title(for firstMessage: String) -> String {
        let words = firstMessage.split { !$0.isLetter && !$0.isNumber }
            .filter { $0.count > 2 && !Self.stopWords.contains($0.lowercased()) }
            .prefix(3)
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return words.isEmpty ? "Conversation" : words.joined(separator: " ")
    }

    /// `text` cut into `count` pieces of nearly equal length (never empty ones).
    static func pieces(of text: String, count: Int) -> [String] {
        let characters = Array(text)
        let count = max(1, min(count, characters.count))
        return (0..<count).map { index in
            String(characters[(index * characters.count / count)..<((index + 1) * characters.count / count)])
        }
    }

    private static func money(_ cents: Int) -> String {
        let whole = String(cents / 100)
        var grouped = ""
        for (index, character) in whole.reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return "$" + String(grouped.reversed()) + "." + (cents % 100 < 10 ? "0" : "") + String(cents % 100)
    }

    private static let assets = ["ETH", "USDC", "WBTC", "ARB", "OP", "DAI"]
    private static let stopWords: Set<String> = [
        "the", "what", "and", "for", "you", "can", "please", "show", "with", "right", "now", "are", "how", "does", "this", "that", "from", "into", "mean",
    ]
    private static let sentences = [
        "Gas fees on mainnet are low at the moment.",
        "Liquidity on the main pools is deep, so slippage should stay small.",
        "Bridging to an L2 usually takes a few minutes.",
        "Staking rewards are paid every epoch.",
        "I can watch this position and tell you when it moves.",
        "The aggregator found a route through two pools.",
        "Stablecoins kept their peg through the week.",
    ]
}
