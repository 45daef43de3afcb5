import AomiAPI

/// A tool the agent ran, as a span on the turn's time line: from its first `tool_update`
/// (or its `tool_complete` when no update came) to its `tool_complete`.
public struct ToolSpan: Sendable, Hashable, Codable {
    public var name: String
    /// `WARC-Date`s of the first event and of `tool_complete` (nil: never completed).
    public var start: String
    public var end: String?
    public var seconds: Double?
    /// The `tool_complete` message.
    public var result: String?

    public init(name: String, start: String, end: String? = nil, seconds: Double? = nil, result: String? = nil) {
        self.name = name
        self.start = start
        self.end = end
        self.seconds = seconds
        self.result = result
    }
}

/// A wallet request as a card: what was asked (kind, `to`, value in wei and ETH, the `data`
/// selector, chain), what the user did (signed, rejected, or never answered) with the hash
/// or signature, and how long the user took.
public struct WalletCard: Sendable, Hashable, Codable {
    /// How the user answered.
    public enum Outcome: String, Sendable, Hashable, Codable {
        case signed, rejected, unanswered
    }

    public var request: WalletRequestSummary
    public var outcome: Outcome
    /// The transaction hash or signature of a signed request.
    public var proof: String?
    /// When the client first saw the request and when the user answered (`WARC-Date`s).
    public var seen: String?
    public var answered: String?
    public var userSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case request, outcome, proof, seen, answered
        case userSeconds = "user_seconds"
    }

    public init(request: WalletRequestSummary, outcome: Outcome, proof: String? = nil, seen: String? = nil, answered: String? = nil, userSeconds: Double? = nil) {
        self.request = request
        self.outcome = outcome
        self.proof = proof
        self.seen = seen
        self.answered = answered
        self.userSeconds = userSeconds
    }

    /// `value` (wei, decimal or `0x` hex) in ETH, without trailing zeros (`0.000469735`).
    public var valueInETH: String? {
        guard let wei = request.value.flatMap(Self.wei) else { return nil }
        return Self.ether(wei)
    }

    /// The function selector: the first 4 bytes of `data` (`0x38ed1739`).
    public var selector: String? {
        guard let data = request.data, data.hasPrefix("0x"), data.count >= 10 else { return nil }
        return String(data.prefix(10))
    }

    /// A decimal or `0x` hex amount as decimal digits (any size: amounts exceed 64 bits).
    static func wei(_ text: String) -> [UInt8]? {
        let lower = text.lowercased()
        if lower.hasPrefix("0x") {
            var digits: [UInt8] = [0]
            for character in lower.dropFirst(2) {
                guard let nibble = character.hexDigitValue else { return nil }
                digits = multiplyAdd(digits, by: 16, add: nibble)
            }
            return digits
        }
        guard !lower.isEmpty, lower.allSatisfy(\.isNumber) else { return nil }
        return lower.compactMap { $0.wholeNumberValue.map(UInt8.init) }
    }

    /// Decimal digits (most significant first) times `factor` plus `add`.
    private static func multiplyAdd(_ digits: [UInt8], by factor: Int, add: Int) -> [UInt8] {
        var result: [UInt8] = []
        var carry = add
        for digit in digits.reversed() {
            let value = Int(digit) * factor + carry
            result.append(UInt8(value % 10))
            carry = value / 10
        }
        while carry > 0 {
            result.append(UInt8(carry % 10))
            carry /= 10
        }
        return Array(result.reversed())
    }

    /// Wei digits as ETH: the point 18 digits from the right, trailing zeros dropped.
    static func ether(_ wei: [UInt8]) -> String {
        let digits = Array(wei.drop { $0 == 0 })
        guard !digits.isEmpty else { return "0" }
        let padded = digits.count <= 18 ? [UInt8](repeating: 0, count: 19 - digits.count) + digits : digits
        let whole = padded.prefix(padded.count - 18).map(String.init).joined()
        var fraction = padded.suffix(18).map(String.init).joined()
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? whole : whole + "." + fraction
    }
}

/// What a conversation did, in a few numbers for the top of its page: turns, tools, wallet
/// requests by outcome, total and slowest turn, failures.
public struct ConversationSummary: Sendable, Hashable, Codable {
    public var turns: Int
    public var tools: Int
    public var walletRequests: Int
    public var signed: Int
    public var rejected: Int
    public var unanswered: Int
    /// Sum of the turns' durations, and the slowest turn's number and duration.
    public var totalSeconds: Double?
    public var slowestTurn: Int?
    public var slowestSeconds: Double?
    /// Turns with an error, a replay miss or no end.
    public var failedTurns: Int

    enum CodingKeys: String, CodingKey {
        case turns, tools, signed, rejected, unanswered
        case walletRequests = "wallet_requests"
        case totalSeconds = "total_seconds"
        case slowestTurn = "slowest_turn"
        case slowestSeconds = "slowest_seconds"
        case failedTurns = "failed_turns"
    }

    public init(_ turns: [ConversationTurn]) {
        self.turns = turns.count
        tools = turns.reduce(0) { $0 + ($1.toolSpans.isEmpty ? $1.tools.count : $1.toolSpans.count) }
        let cards = turns.flatMap(\.walletCards)
        walletRequests = max(cards.count, turns.reduce(0) { $0 + $1.walletRequests.count })
        signed = cards.filter { $0.outcome == .signed }.count
        rejected = cards.filter { $0.outcome == .rejected }.count
        unanswered = cards.filter { $0.outcome == .unanswered }.count
        let durations = turns.compactMap { turn in turn.timing?.durationSeconds.map { (turn.number, $0) } }
        totalSeconds = durations.isEmpty ? nil : durations.reduce(0) { $0 + $1.1 }
        let slowest = durations.max { $0.1 < $1.1 }
        slowestTurn = slowest?.0
        slowestSeconds = slowest?.1
        failedTurns = turns.filter(\.failed).count
    }
}
