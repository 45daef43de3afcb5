/// What `verify` found: every difference between the recording and its replay, each naming
/// the request it came from.
public struct VerifyReport: Sendable, Equatable {
    public var sessions = 0
    public var requests = 0
    public var events = 0
    public var differences: [String] = []

    public var passed: Bool { differences.isEmpty }

    public var summary: String {
        "verify: \(sessions) sessions, \(requests) requests, \(events) events replayed: "
            + (passed ? "no differences" : "\(differences.count) difference\(differences.count == 1 ? "" : "s")")
    }
}
