/// One message of a thread, as snapshots carry it.
public struct ChatMessage: Sendable, Hashable, Codable {
    public var sender: String
    public var content: String
    public var timestamp: String?
    public var isStreaming: Bool
    /// `[topic, content]` when a tool ran for this message.
    public var toolResult: [String]?

    public init(sender: String, content: String, timestamp: String? = nil, isStreaming: Bool = false, toolResult: [String]? = nil) {
        self.sender = sender
        self.content = content
        self.timestamp = timestamp
        self.isStreaming = isStreaming
        self.toolResult = toolResult
    }

    enum CodingKeys: String, CodingKey {
        case sender, content, timestamp
        case isStreaming = "is_streaming"
        case toolResult = "tool_result"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sender = try container.decode(String.self, forKey: .sender)
        content = try container.decodeIfPresent(String.self, forKey: .content) ?? ""
        timestamp = try container.decodeIfPresent(String.self, forKey: .timestamp)
        isStreaming = try container.decodeIfPresent(Bool.self, forKey: .isStreaming) ?? false
        toolResult = try container.decodeIfPresent([String].self, forKey: .toolResult)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sender, forKey: .sender)
        try container.encode(content, forKey: .content)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(isStreaming, forKey: .isStreaming)
        try container.encode(toolResult, forKey: .toolResult)
    }
}

/// Who wrote a message.
public enum Sender {
    public static let user = "user"
    public static let agent = "agent"
    public static let system = "system"
}
