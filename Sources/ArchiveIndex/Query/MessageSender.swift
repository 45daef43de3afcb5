/// Who wrote a message, as a search filter takes it: the three senders the API uses.
public enum MessageSender: String, Sendable, CaseIterable {
    case user
    case agent
    case system
}
