import AomiAPI

/// What one turn of a conversation showed: the agent's messages, its tools, its wallet
/// requests, notices and errors, and how long it took. Both sides of a comparison are read
/// into this shape from their records, so they are compared on equal terms.
public struct ConversationTurn: Sendable, Hashable, Codable {
    public var number: Int
    public var user: UserTurn
    /// The agent's messages of the turn, whitespace normalised.
    public var agentMessages: [String]
    /// Messages from the `system` sender (a wallet answer's summary, notices).
    public var systemMessages: [String]
    public var tools: [ToolCall]
    public var walletRequests: [WalletRequestSummary]
    /// `SystemNotice` entries of the turn's system events, and `system_notice` update events.
    public var notices: [String]
    /// `SystemError` entries, and error statuses of the turn's exchanges.
    public var errors: [String]
    public var timing: TurnTiming?
    /// When the user sent the message and when the turn was over (`WARC-Date`s; nil for a
    /// crawled session, or a turn that never ended).
    public var start: String? = nil
    public var end: String? = nil
    /// The tools as spans with their durations (live sessions with an updates channel).
    public var toolSpans: [ToolSpan] = []
    /// The wallet requests with what the user did.
    public var walletCards: [WalletCard] = []

    /// An error, a replay miss, or a live turn that never ended.
    public var failed: Bool { !errors.isEmpty || (start != nil && end == nil) }

    enum CodingKeys: String, CodingKey {
        case number, user, tools, notices, errors, timing, start, end
        case agentMessages = "agent_messages"
        case systemMessages = "system_messages"
        case walletRequests = "wallet_requests"
        case toolSpans = "tool_spans"
        case walletCards = "wallet_cards"
    }

    public init(
        number: Int, user: UserTurn, agentMessages: [String] = [], systemMessages: [String] = [], tools: [ToolCall] = [],
        walletRequests: [WalletRequestSummary] = [], notices: [String] = [], errors: [String] = [], timing: TurnTiming? = nil
    ) {
        self.number = number
        self.user = user
        self.agentMessages = agentMessages
        self.systemMessages = systemMessages
        self.tools = tools
        self.walletRequests = walletRequests
        self.notices = notices
        self.errors = errors
        self.timing = timing
    }
}

/// A tool the agent ran: its name from `tool_update` / `tool_complete` events or the
/// `tool_result` topic of a message, whether it completed, and its result.
public struct ToolCall: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var completed: Bool
    /// The `tool_complete` message, or the `tool_result` content.
    public var result: String?

    public init(name: String, completed: Bool, result: String?) {
        self.name = name
        self.completed = completed
        self.result = result
    }

    public var description: String {
        name + (completed ? "" : " (not completed)") + (result.map { " → \($0)" } ?? "")
    }
}

/// A wallet request as the comparison sees it: kind, recipient, value, calldata, chain and
/// typed data; its id is left out (a backend numbers requests per session).
public struct WalletRequestSummary: Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: String
    public var to: String?
    public var value: String?
    public var data: String?
    public var chainID: String?
    /// The EIP-712 typed data as canonical JSON text.
    public var typedData: String?

    enum CodingKeys: String, CodingKey {
        case kind, to, value, data
        case chainID = "chain_id"
        case typedData = "typed_data"
    }

    public init(kind: String, to: String? = nil, value: String? = nil, data: String? = nil, chainID: String? = nil, typedData: String? = nil) {
        self.kind = kind
        self.to = to
        self.value = value
        self.data = data
        self.chainID = chainID
        self.typedData = typedData
    }

    /// The request a system event carries (`InlineCall` of `wallet_tx_request` or
    /// `wallet_eip712_request`); nil for any other event.
    public init?(systemEvent event: JSONValue) {
        guard let call = event["InlineCall"], let kind = call["type"]?.stringValue,
            kind == "wallet_tx_request" || kind == "wallet_eip712_request"
        else { return nil }
        let payload = call["payload"] ?? .null
        let args = payload["args"] ?? payload
        self.kind = kind
        to = args["to"].flatMap(Self.text)
        value = args["value"].flatMap(Self.text)
        data = args["data"].flatMap(Self.text)
        chainID = (args["chain_id"] ?? args["chainId"]).flatMap(Self.text)
        typedData = payload["typed_data"].map { String(decoding: JSONCoding.encode($0), as: UTF8.self) }
    }

    /// The fields that are set, as `name=value` pairs in a fixed order.
    public var fields: [(name: String, value: String)] {
        [("kind", kind), ("to", to), ("value", value), ("data", data), ("chain_id", chainID), ("typed_data", typedData)]
            .compactMap { name, value in value.map { (name, $0) } }
    }

    public var description: String {
        fields.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    private static func text(_ value: JSONValue) -> String? {
        switch value {
        case let .string(text): text
        case let .number(number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case let .bool(flag): String(flag)
        default: nil
        }
    }
}

/// A turn's timing, from the records' dates: from the chat request to the answer that showed
/// the turn over (`is_processing` false, no wallet request pending), to the first snapshot with
/// agent text, and the polls it took.
public struct TurnTiming: Sendable, Hashable, Codable {
    public var durationSeconds: Double?
    public var firstTextSeconds: Double?
    public var polls: Int
    /// Polls answered before the first agent text: the agent's think time in the client's own
    /// unit, which does not depend on how busy the machine is.
    public var pollsBeforeFirstText: Int?

    enum CodingKeys: String, CodingKey {
        case polls
        case durationSeconds = "duration_seconds"
        case firstTextSeconds = "first_text_seconds"
        case pollsBeforeFirstText = "polls_before_first_text"
    }

    public init(durationSeconds: Double?, firstTextSeconds: Double?, polls: Int, pollsBeforeFirstText: Int? = nil) {
        self.durationSeconds = durationSeconds
        self.firstTextSeconds = firstTextSeconds
        self.polls = polls
        self.pollsBeforeFirstText = pollsBeforeFirstText
    }

    /// How much later or sooner the first agent text came in `other`, when it is beyond noise:
    /// two polls or more. Counted in polls, the client's own unit (500 ms for the real
    /// client), rather than in seconds, so that a busy machine running the rerun does not
    /// make the agent look slower.
    public func firstTextShift(in other: TurnTiming) -> String? {
        guard let before = pollsBeforeFirstText, let after = other.pollsBeforeFirstText, abs(after - before) >= 2 else { return nil }
        return "first text after \(before) → \(after) polls"
    }
}
