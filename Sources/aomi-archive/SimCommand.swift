import AomiAPI
import AomiClient
import AomiSimulator
import ArgumentParser
import Foundation
import HTTPServing

/// `aomi-archive sim`: the stand-in Aomi backend, and `sim drive`, a client that behaves like the real one.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the stand-in Aomi backend, or drive traffic like the real client.",
        subcommands: [SimServeCommand.self, SimDriveCommand.self],
        defaultSubcommand: SimServeCommand.self
    )
}

/// `aomi-archive sim [serve]`.
struct SimServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the documented Aomi API (and the real client's extra endpoints) over HTTP.",
        discussion: """
            App keys come from --app-key NAME=KEY or from the environment variable \
            AOMI_SIM_APP_KEYS ("NAME=KEY,NAME=KEY"). The App "\(SimulatorConfiguration.keyedApp)" \
            needs one; "default" needs none.
            """
    )

    @Option(help: "Address to listen on (HOST:PORT; port 0 picks a free one).")
    var listen = "127.0.0.1:8080"

    @Option(help: "Seed of the generated content.")
    var seed: UInt64 = 1

    @OptionGroup var listenerTLS: ListenerTLSOptions

    @Option(
        help:
            "What moves an agent turn on: clock (the times below) or polls:N (a step after every N polls of GET /api/state; the same requests then always see the same snapshots).")
    var pace = TurnPacing.clock

    @Option(help: "Agent think time before its first output (1200ms, 2s).")
    var think = DurationArgument("1200ms")

    @Option(help: "Pieces the agent's reply streams in.")
    var chunks = 4

    @Option(help: "Time between reply pieces and between tool progress events.")
    var chunkInterval = DurationArgument("400ms")

    @Option(help: "Time after the first turn before the title arrives.")
    var titleDelay = DurationArgument("2s")

    @Option(help: "Time between ': ping' comments on /api/updates.")
    var pingInterval = DurationArgument("15s")

    @Option(help: "End each /api/updates stream after this long (0s: never), to exercise reconnects.")
    var updatesLifetime = DurationArgument("0s")

    @Option(help: "End each /api/updates stream after it carried this many events (0: never), to exercise reconnects.")
    var updatesMaxEvents = 0

    @Option(help: "An App key, NAME=KEY (repeatable).")
    var appKey: [String] = []

    @Option(help: "A browser origin allowed to call it (repeatable; default: any origin, answered with *).")
    var corsOrigin: [String] = []

    @Option(help: "Form of the messages' timestamp: iso8601, rfc3339-micros, unix-ms or none.")
    var messageTimestamps = MessageTimestamps.Form.iso8601

    @Option(help: "Date the conversation this long ago (10d): each message's timestamp is the clock minus this.")
    var messageAge = DurationArgument("0s")

    @Option(help: "Disagree with the plain agent on purpose, to try `rerun` on: amounts (other swap amounts), no-wallet (no wallet requests), slow (twice the think time).")
    var variant: SimulatorVariant?

    @OptionGroup var log: LogOptions

    func run() async throws {
        let shutdown = ShutdownSignal.catching()
        let address = try ListenAddress(listen)
        var keys = ListenAddress.keyValues(ProcessInfo.processInfo.environment["AOMI_SIM_APP_KEYS"] ?? "")
        keys.merge(ListenAddress.keyValues(appKey.joined(separator: ","))) { $1 }
        let configuration = SimulatorConfiguration(
            seed: seed, pacing: pace, thinkTime: think.duration, streamChunks: chunks, chunkInterval: chunkInterval.duration,
            titleDelay: titleDelay.duration, pingInterval: pingInterval.duration,
            updatesLifetime: updatesLifetime.isZero ? nil : updatesLifetime.duration,
            updatesEventLimit: updatesMaxEvents > 0 ? updatesMaxEvents : nil, appKeys: keys,
            timestamps: MessageTimestamps(form: messageTimestamps, age: messageAge.duration), cors: SimulatorCORS(origins: corsOrigin), variant: variant)
        let backend = SimulatorBackend(configuration: configuration)
        let logger = log.logger(label: "aomi-archive.sim")
        let announcer = log.announcer(label: "aomi-archive.sim")
        let listenerTLS = try listenerTLS.settings()?.configuration
        let simulator = ServerService { [seed, variant] in
            let server = try await ApplicationServer.start(
                router: SimulatorRoutes(backend: backend).router(), host: address.host, port: address.port, tls: listenerTLS, logger: logger)
            announcer.notice("listening on \(server.baseURL), serving the Aomi API (seed \(seed)\(variant.map { ", variant \($0.rawValue)" } ?? ""))")
            return server
        }
        try await ServerLifecycle.run([simulator], until: shutdown, logger: logger)
    }
}

extension MessageTimestamps.Form: ExpressibleByArgument {}

extension SimulatorVariant: ExpressibleByArgument {}

extension TurnPacing: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}

/// `aomi-archive sim drive`.
struct SimDriveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drive",
        abstract: "Drive conversations like the real client and print what was seen."
    )

    @Option(help: "Base URL of the backend, recorder or replayer.")
    var target: String

    @Option(parsing: .unconditional, help: "Wallets to drive.")
    var wallets = 1

    @Option(parsing: .unconditional, help: "Threads per wallet.")
    var threads = 1

    @Option(parsing: .unconditional, help: "Messages per thread.")
    var messages = 3

    @Option(parsing: .unconditional, help: "Threads driven at once.")
    var concurrency = 8

    @Option(help: "Seed choosing wallets and messages.")
    var seed: UInt64 = 1

    @Option(help: "Time between /api/state polls (the real client: 500ms).")
    var poll = DurationArgument("500ms")

    @Option(help: "Environment variable holding an App key to send as X-API-Key.")
    var appKeyEnv: String?

    @Option(help: "App to name in chat requests.")
    var app: String?

    @Option(help: "Environment variable holding the API_KEY secret registered with POST /api/secrets (default: one made from the seed).")
    var secretEnv: String?

    @Option(help: "How long to wait for each answer.")
    var requestTimeout = DurationArgument("30s")

    @Option(parsing: .unconditional, help: "Polls of /api/state a wallet request waits for the user before it is signed or rejected.")
    var walletWait = 2

    @Flag(help: "Print the whole report as JSON.")
    var json = false

    func validate() throws {
        try ArgumentRange.check(walletWait, "--wallet-wait", 0...1000)
        try ArgumentRange.check(wallets, "--wallets", 1...100_000)
        try ArgumentRange.check(threads, "--threads", 1...10_000)
        try ArgumentRange.check(messages, "--messages", 1...1000)
        try ArgumentRange.check(concurrency, "--concurrency", 1...1024)
    }

    func run() async throws {
        try await BackendReachability.check(target, option: "--target")
        let key = appKeyEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
        let secret = secretEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
        let driver = AomiDriver(
            configuration: DriverConfiguration(
                target: target, wallets: wallets, threadsPerWallet: threads, messagesPerThread: messages,
                concurrency: concurrency, seed: seed, pollInterval: poll.duration, appKey: key, app: app,
                secrets: secret.map { ["API_KEY": $0] }, pollsWhileWalletPending: walletWait, requestTimeout: requestTimeout.duration))
        let started = ContinuousClock.now
        let report = try await driver.run()
        if json {
            print(String(decoding: try JSONCoding.encoder().encode(report), as: UTF8.self))
        } else {
            for thread in report.threads {
                print(
                    "\(thread.wallet) thread \(thread.thread) [\(thread.sessionID)] \"\(thread.title ?? "-")\": "
                        + "\(Counted.of(thread.messages.count, "message")), \(Counted.of(thread.events.count, "event")), "
                        + Counted.of(thread.walletRequests.count, "wallet request")
                        + thread.walletOutcomes.map { "; \($0)" }.joined()
                        + (thread.errors.isEmpty ? "" : ", \(Counted.of(thread.errors.count, "error"))"))
            }
            print(
                "\(Counted.of(report.threads.count, "thread")), \(Counted.of(report.requests, "request")) in \(Counted.duration(ContinuousClock.now - started)), "
                    + Counted.of(report.errors.count, "error"))
        }
        report.errors.forEach { FileHandle.standardError.write(Data("error: \($0)\n".utf8)) }
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}
