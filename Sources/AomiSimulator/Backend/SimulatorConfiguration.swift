import AomiAPI

/// How the stand-in backend behaves: its seed, its timing, its Apps and keys.
public struct SimulatorConfiguration: Sendable {
    /// Same seed and same requests give the same content.
    public var seed: UInt64
    /// What moves a turn on: the times below (`clock`), or the client's polls.
    public var pacing: TurnPacing
    /// Time before the agent's first output in a turn.
    public var thinkTime: Duration
    /// Pieces the agent's reply arrives in over successive snapshots.
    public var streamChunks: Int
    /// Time between two pieces of the reply, and between two tool progress events.
    public var chunkInterval: Duration
    /// `tool_update` events before `tool_complete`.
    public var toolSteps: Int
    /// Time after the first turn before the title is generated and announced.
    public var titleDelay: Duration
    /// Time between `: ping` comments on `/api/updates`.
    public var pingInterval: Duration
    /// When set, the backend ends each `/api/updates` stream after this long (as real
    /// connections drop), so clients reconnect.
    public var updatesLifetime: Duration?
    /// When set, the backend ends each `/api/updates` stream once it has carried this many
    /// events (pings not counted): reconnects that do not depend on the machine's speed.
    public var updatesEventLimit: Int?
    /// Keys of the Apps that need one, by App name. An App listed in `apps` without a key
    /// here accepts no key at all.
    public var appKeys: [String: String]
    public var models: [String]
    /// Largest request body accepted (413 above).
    public var maxBodyBytes: Int
    /// The form and age of the messages' `timestamp`.
    public var timestamps: MessageTimestamps
    /// Which browser origins may call it (any by default).
    public var cors: SimulatorCORS
    /// How this agent differs from the plain one, if it does.
    public var variant: SimulatorVariant?

    public init(
        seed: UInt64 = 1,
        pacing: TurnPacing = .clock,
        thinkTime: Duration = .milliseconds(1200),
        streamChunks: Int = 4,
        chunkInterval: Duration = .milliseconds(400),
        toolSteps: Int = 3,
        titleDelay: Duration = .seconds(2),
        pingInterval: Duration = .seconds(15),
        updatesLifetime: Duration? = nil,
        updatesEventLimit: Int? = nil,
        appKeys: [String: String] = [:],
        models: [String] = ["claude-sonnet", "gpt-4o"],
        maxBodyBytes: Int = 1 << 20,
        timestamps: MessageTimestamps = MessageTimestamps(),
        cors: SimulatorCORS = SimulatorCORS(),
        variant: SimulatorVariant? = nil
    ) {
        self.seed = seed
        self.pacing = pacing
        self.thinkTime = thinkTime
        self.streamChunks = max(1, streamChunks)
        self.chunkInterval = chunkInterval
        self.toolSteps = max(1, toolSteps)
        self.titleDelay = titleDelay
        self.pingInterval = pingInterval
        self.updatesLifetime = updatesLifetime
        self.updatesEventLimit = updatesEventLimit
        self.appKeys = appKeys
        self.models = models
        self.maxBodyBytes = maxBodyBytes
        self.timestamps = timestamps
        self.cors = cors
        self.variant = variant
    }

    /// For tests and the demo: every turn step is taken after two polls of the session, so
    /// each snapshot is seen twice (as a polling client sees repeats), a reply is seen growing
    /// and the title arrives during the first turn, however busy the machine is.
    public static func fast(
        seed: UInt64 = 1, appKeys: [String: String] = [:], timestamps: MessageTimestamps = MessageTimestamps(), cors: SimulatorCORS = SimulatorCORS(),
        variant: SimulatorVariant? = nil
    ) -> SimulatorConfiguration {
        SimulatorConfiguration(
            seed: seed, pacing: .polls(2), thinkTime: .milliseconds(30), streamChunks: 3, chunkInterval: .milliseconds(15),
            toolSteps: 3, titleDelay: .milliseconds(40), pingInterval: .milliseconds(200), appKeys: appKeys, timestamps: timestamps, cors: cors,
            variant: variant)
    }

    /// The App that declares secret slots and needs a key.
    public static let keyedApp = "mycoindex"

    /// The Apps `GET /api/control/apps` lists.
    public var apps: [AppDescriptor] {
        [
            AppDescriptor(name: Self.keyedApp, secrets: [.init(name: "API_KEY", description: "Vendor API key", required: true)]),
            AppDescriptor(name: "default", secrets: nil),
        ]
    }
}
