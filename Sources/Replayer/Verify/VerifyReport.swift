/// What `verify` found: every difference between the recording and its replay, each naming
/// the request it came from.
public struct VerifyReport: Sendable, Equatable, Encodable {
    public var sessions = 0
    public var requests = 0
    public var events = 0
    public var differences: [String] = []

    public var passed: Bool { differences.isEmpty }

    enum CodingKeys: String, CodingKey {
        case passed, differences
        case sessions = "session_count"
        case requests = "request_count"
        case events = "event_count"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(passed, forKey: .passed)
        try container.encode(sessions, forKey: .sessions)
        try container.encode(requests, forKey: .requests)
        try container.encode(events, forKey: .events)
        try container.encode(differences, forKey: .differences)
    }

    public var summary: String {
        "verify: \(sessions) sessions, \(requests) requests, \(events) events replayed: "
            + (passed ? "no differences" : "\(differences.count) difference\(differences.count == 1 ? "" : "s")")
    }
}
