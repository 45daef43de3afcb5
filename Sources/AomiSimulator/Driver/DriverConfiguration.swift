import AomiAPI

/// What an `AomiDriver` run does: how many wallets, threads and messages, against which
/// backend, and with the real client's timing.
public struct DriverConfiguration: Sendable {
    /// Base URL of the backend (or of a recorder or replayer in front of it).
    public var target: String
    public var wallets: Int
    public var threadsPerWallet: Int
    public var messagesPerThread: Int
    /// Threads driven at once.
    public var concurrency: Int
    /// Chooses the wallets and the messages; the same seed drives the same conversations.
    public var seed: UInt64
    /// `GET /api/state` while the agent works (the real client: 500 ms).
    public var pollInterval: Duration
    /// First reconnect delay of `/api/updates`; it doubles up to `reconnectCap` (500 ms, 10 s).
    public var reconnectDelay: Duration
    public var reconnectCap: Duration
    /// How long to wait, after the last message, for a title that has not arrived yet.
    public var titleWait: Duration
    /// Polls of one turn before the driver gives up on it (and reports an error).
    public var maxPollsPerTurn: Int
    /// Sent as `X-API-Key` (the real client's header) when set.
    public var appKey: String?
    /// Sent as the `app` query parameter of chat when set.
    public var app: String?
    /// Registered with `POST /api/secrets` at the start of each thread and cleared at its end
    /// (the real client's secret handling); never printed. Empty: no secrets calls.
    public var secrets: [String: String]
    /// Polls made while a wallet request waits for the user, before the driver answers it.
    public var pollsWhileWalletPending: Int
    /// Longest wait for one answer (not `/api/updates`).
    public var requestTimeout: Duration

    public init(
        target: String,
        wallets: Int = 1,
        threadsPerWallet: Int = 1,
        messagesPerThread: Int = 3,
        concurrency: Int = 8,
        seed: UInt64 = 1,
        pollInterval: Duration = .milliseconds(500),
        reconnectDelay: Duration = .milliseconds(500),
        reconnectCap: Duration = .seconds(10),
        titleWait: Duration = .seconds(10),
        maxPollsPerTurn: Int = 600,
        appKey: String? = nil,
        app: String? = nil,
        secrets: [String: String]? = nil,
        pollsWhileWalletPending: Int = 2,
        requestTimeout: Duration = .seconds(30)
    ) {
        self.target = target.hasSuffix("/") ? String(target.dropLast()) : target
        self.wallets = wallets
        self.threadsPerWallet = threadsPerWallet
        self.messagesPerThread = messagesPerThread
        self.concurrency = max(1, concurrency)
        self.seed = seed
        self.pollInterval = pollInterval
        self.reconnectDelay = reconnectDelay
        self.reconnectCap = reconnectCap
        self.titleWait = titleWait
        self.maxPollsPerTurn = maxPollsPerTurn
        self.appKey = appKey
        self.app = app
        self.secrets = secrets ?? ["API_KEY": Self.seededSecret(seed)]
        self.pollsWhileWalletPending = max(0, pollsWhileWalletPending)
        self.requestTimeout = requestTimeout
    }

    /// The secret a driver registers unless told otherwise: made from the seed, so that a
    /// second run sends the same one (as a user's API key is) and a replay can match it.
    public static func seededSecret(_ seed: UInt64) -> String {
        var random = SeededRandom(seed: seed, "secret")
        return "sk-sim-" + (0..<24).map { _ in String(random.int(in: 0...15), radix: 16) }.joined()
    }

    /// For tests and the demo, against `SimulatorConfiguration.fast` or its recording: polls
    /// every 10 ms, reconnects after 20 ms, and waits as long as it takes for a title that must
    /// come and for each answer: those waits end when the thing arrives, so they cost nothing
    /// on a quiet machine and only bound a hang on a busy one.
    public static func fast(
        target: String, wallets: Int = 1, threads: Int = 1, messages: Int = 3, concurrency: Int = 4,
        seed: UInt64 = 1, appKey: String? = nil, app: String? = nil, secrets: [String: String]? = nil
    ) -> DriverConfiguration {
        DriverConfiguration(
            target: target, wallets: wallets, threadsPerWallet: threads, messagesPerThread: messages, concurrency: concurrency,
            seed: seed, pollInterval: .milliseconds(10), reconnectDelay: .milliseconds(20), reconnectCap: .milliseconds(200),
            titleWait: .seconds(120), appKey: appKey, app: app, secrets: secrets, requestTimeout: .seconds(120))
    }
}
