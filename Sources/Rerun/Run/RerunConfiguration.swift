import TLSSupport

/// What `aomi-archive rerun` sends, where to, and how it waits, as the real client would.
public struct RerunConfiguration: Sendable {
    /// How the rerun answers the wallet requests it is handed.
    public enum AnswerPolicy: String, Sendable, CaseIterable {
        /// As the user answered the same request (by order) in the original; a request the
        /// original never answered is rejected (nothing is signed that the user did not sign).
        case recorded
        case sign
        case reject
    }

    /// Base URL of the backend the conversations go to.
    public var upstream: String
    public var upstreamTLS: UpstreamTLS
    /// The archive root the rerun's records go to.
    public var recordRoot: String
    public var answer: AnswerPolicy
    /// Values for recorded secrets, by secret name (`POST /api/secrets`) or header name
    /// (`X-API-Key`): the archive holds only their tokens.
    public var secrets: [String: String]
    /// Reruns of each session.
    public var repeats: Int
    /// Sessions rerun at once.
    public var concurrency: Int
    /// Longest wait for a turn to end.
    public var turnTimeout: Duration
    /// `GET /api/state` while a turn runs (the real client: 500 ms).
    public var pollInterval: Duration
    /// First reconnect delay of `/api/updates`; it doubles up to 10 s, as the client's does.
    public var reconnectDelay: Duration
    /// Longest wait for one answer.
    public var requestTimeout: Duration

    public init(
        upstream: String, upstreamTLS: UpstreamTLS = .systemTrust, recordRoot: String, answer: AnswerPolicy = .recorded, secrets: [String: String] = [:],
        repeats: Int = 1, concurrency: Int = 4, turnTimeout: Duration = .seconds(120), pollInterval: Duration = .milliseconds(500),
        reconnectDelay: Duration = .milliseconds(500), requestTimeout: Duration = .seconds(30)
    ) {
        self.upstream = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
        self.upstreamTLS = upstreamTLS
        self.recordRoot = recordRoot
        self.answer = answer
        self.secrets = secrets
        self.repeats = max(1, repeats)
        self.concurrency = max(1, concurrency)
        self.turnTimeout = turnTimeout
        self.pollInterval = pollInterval
        self.reconnectDelay = reconnectDelay
        self.requestTimeout = requestTimeout
    }

    /// The value given for a secret or header name, names compared without case.
    func secret(named name: String) -> String? {
        secrets.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}
