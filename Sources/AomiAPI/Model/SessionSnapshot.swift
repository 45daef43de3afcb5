/// The state of a session, as `POST /api/chat`, `GET /api/state` and `POST /api/interrupt` return it.
public struct SessionSnapshot: Sendable, Hashable, Codable {
    public var messages: [ChatMessage]
    /// Tagged JSON: `{"InlineCall": {...}}`, `{"SystemNotice": "…"}`, `{"SystemError": "…"}`, `{"AsyncCallback": {...}}`.
    public var systemEvents: [JSONValue]
    public var title: String?
    public var isProcessing: Bool
    public var userState: JSONValue?

    public init(messages: [ChatMessage] = [], systemEvents: [JSONValue] = [], title: String? = nil, isProcessing: Bool = false, userState: JSONValue? = nil) {
        self.messages = messages
        self.systemEvents = systemEvents
        self.title = title
        self.isProcessing = isProcessing
        self.userState = userState
    }

    enum CodingKeys: String, CodingKey {
        case messages, title
        case systemEvents = "system_events"
        case isProcessing = "is_processing"
        case userState = "user_state"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messages = try container.decodeIfPresent([ChatMessage].self, forKey: .messages) ?? []
        systemEvents = try container.decodeIfPresent([JSONValue].self, forKey: .systemEvents) ?? []
        title = try container.decodeIfPresent(String.self, forKey: .title)
        isProcessing = try container.decodeIfPresent(Bool.self, forKey: .isProcessing) ?? false
        userState = try container.decodeIfPresent(JSONValue.self, forKey: .userState)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(messages, forKey: .messages)
        try container.encode(systemEvents, forKey: .systemEvents)
        try container.encode(title, forKey: .title)
        try container.encode(isProcessing, forKey: .isProcessing)
        try container.encode(userState ?? .null, forKey: .userState)
    }

    /// The wallet requests among the system events (`wallet_tx_request`, `wallet_eip712_request`), as their payloads.
    public var walletRequests: [JSONValue] {
        systemEvents.compactMap { event in
            guard let call = event["InlineCall"], let type = call["type"]?.stringValue,
                type == "wallet_tx_request" || type == "wallet_eip712_request"
            else { return nil }
            return call["payload"] ?? .null
        }
    }
}
