/// One thread in `GET /api/sessions?public_key=`, and the body of session create/get/rename.
public struct ThreadSummary: Sendable, Hashable, Codable {
    public var sessionID: String
    public var title: String

    public init(sessionID: String, title: String) {
        self.sessionID = sessionID
        self.title = title
    }

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id"
        case title
    }
}
