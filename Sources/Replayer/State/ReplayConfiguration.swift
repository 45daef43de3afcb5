import HTTPServing

/// How a replay serves: the clock, strictness, key checks, which browser origins may use it
/// and which `Host`s it answers.
public struct ReplayConfiguration: Sendable {
    /// When recorded SSE events and responses are released.
    public enum Clock: String, Sendable, CaseIterable {
        /// As soon as the client has made the requests that preceded them: as fast as possible.
        case sequence
        /// Also after their recorded delay, scaled by `speed`.
        case recorded
    }

    public var clock: Clock
    /// With the recorded clock: 2 plays twice as fast, 0.5 half as fast.
    public var speed: Double
    /// An exhausted queue is a miss instead of repeating its last answer.
    public var strict: Bool
    /// Requests whose recorded App key is a redaction token must send the key it stands for.
    public var checkKeys: Bool
    public var cors: CORSPolicy
    /// The `Host`s answered (others get 403: DNS rebinding).
    public var hosts: HostPolicy
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes: Int
    /// Header fields that take part in matching (none by default) and volatile values left out.
    public var matching: MatchRules
    /// What `GET /metrics` answers; nil leaves that path to the recording like any other.
    public var metrics: MetricsEndpoint?

    public init(
        clock: Clock = .sequence, speed: Double = 1, strict: Bool = false, checkKeys: Bool = true, cors: CORSPolicy = .loopback,
        hosts: HostPolicy = HostPolicy(), maxBodyBytes: Int = 16 << 20, matchHeaders: [String] = [], ignoreParameters: [String] = [], ignoreJSON: [String] = []
    ) {
        self.clock = clock
        self.speed = speed > 0 ? speed : 1
        self.strict = strict
        self.checkKeys = checkKeys
        self.cors = cors
        self.hosts = hosts
        self.maxBodyBytes = maxBodyBytes
        matching = MatchRules(matchHeaders: matchHeaders, ignoreParameters: ignoreParameters, ignoreJSON: ignoreJSON)
    }
}
