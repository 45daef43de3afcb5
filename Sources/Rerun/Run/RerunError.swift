/// Why a rerun could not start: what was asked for does not exist, or the backend cannot be
/// reached. (What goes wrong within a conversation is part of its report instead.)
public enum RerunError: Error, CustomStringConvertible {
    case unknownSessions([String], root: String)
    case noUserMessage([String])
    case nothingSelected(String)
    case upstreamUnreachable(String, cause: String)
    case recording(root: String, cause: String)

    public var description: String {
        switch self {
        case let .unknownSessions(ids, root):
            "no recorded session \(ids.joined(separator: ", ")) in \(root) (`aomi-archive threads --wallet W` lists a wallet's sessions)"
        case let .noUserMessage(ids):
            "nothing to rerun: \(ids.joined(separator: ", ")) \(ids.count == 1 ? "has" : "have") no user message"
        case let .nothingSelected(what):
            "no recorded session matches \(what)"
        case let .upstreamUnreachable(upstream, cause):
            "upstream \(upstream) cannot be reached: \(cause)"
        case let .recording(root, cause):
            "cannot record the rerun into \(root): \(cause)"
        }
    }
}
