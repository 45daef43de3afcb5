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
        timestamp = Self.timestamp(in: container)
        isStreaming = try container.decodeIfPresent(Bool.self, forKey: .isStreaming) ?? false
        toolResult = try container.decodeIfPresent([String].self, forKey: .toolResult)
    }

    /// The timestamp as text: a string as it is, a number (Unix time) as its digits; a value of
    /// any other type is no timestamp rather than a message that cannot be read.
    private static func timestamp(in container: KeyedDecodingContainer<CodingKeys>) -> String? {
        if let text = try? container.decodeIfPresent(String.self, forKey: .timestamp) { return text }
        if let whole = try? container.decodeIfPresent(Int64.self, forKey: .timestamp) { return String(whole) }
        if let number = try? container.decodeIfPresent(Double.self, forKey: .timestamp) { return String(number) }
        return nil
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
