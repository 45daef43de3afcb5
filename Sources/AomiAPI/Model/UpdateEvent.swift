/// An event on the `GET /api/updates` channel: JSON with `type` and `session_id`.
public struct UpdateEvent: Sendable, Hashable, Codable {
    public var type: String
    public var sessionID: String
    public var newTitle: String?
    public var toolName: String?
    public var progress: Int?
    public var message: String?

    public init(type: String, sessionID: String, newTitle: String? = nil, toolName: String? = nil, progress: Int? = nil, message: String? = nil) {
        self.type = type
        self.sessionID = sessionID
        self.newTitle = newTitle
        self.toolName = toolName
        self.progress = progress
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case type, progress, message
        case sessionID = "session_id"
        case newTitle = "new_title"
        case toolName = "tool_name"
    }

    /// The documented event types.
    public enum Kind {
        public static let titleChanged = "title_changed"
        public static let toolUpdate = "tool_update"
        public static let toolComplete = "tool_complete"
        public static let systemNotice = "system_notice"
    }
}
