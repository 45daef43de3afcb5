import Hummingbird
import Logging

/// A Hummingbird application running on a background task, bound to a loopback port;
/// `stop()` shuts it down. Port 0 picks a free port, which `port` then tells.
public struct RunningServer: Sendable {
    public let host: String
    public let port: Int
    private let task: Task<Void, any Error>

    public var baseURL: String { "http://\(host):\(port)" }

    /// Starts serving `router` and returns once the socket is bound.
    public static func start<Builder: HTTPResponderBuilder>(
        router: Builder,
        host: String = "127.0.0.1",
        port: Int = 0,
        logger: Logger = RunningServer.quietLogger()
    ) async throws -> RunningServer where Builder.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (bound, continuation) = AsyncThrowingStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? port) },
            logger: logger
        )
        let task = Task {
            do {
                try await app.run()
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
                throw error
            }
        }
        for try await actualPort in bound {
            return RunningServer(host: host, port: actualPort, task: task)
        }
        throw CancellationError()
    }

    /// Stops accepting connections and waits for the server task to end.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// A logger that only reports warnings and errors (servers in tests and the demo).
    public static func quietLogger(label: String = "aomi-archive") -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }
}
