import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle

/// A Hummingbird application (the simulator) running on a background task, bound to a loopback port;
/// `stop()` shuts it down gracefully. Port 0 picks a free port, which `port` then tells.
///
/// Long-lived responses (SSE) should end themselves on graceful shutdown
/// (`cancelWhenGracefulShutdown`); whatever still runs after the grace period is cancelled.
public struct ApplicationServer: RunningServer {
    public let host: String
    public let port: Int
    /// `http`, or `https` when started with TLS.
    public let scheme: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts serving `router` (over TLS with `tls`) and returns once the socket is bound.
    public static func start<Builder: HTTPResponderBuilder>(
        router: Builder,
        host: String = "127.0.0.1",
        port: Int = 0,
        tls: TLSConfiguration? = nil,
        logger: Logger = ApplicationServer.quietLogger()
    ) async throws -> ApplicationServer where Builder.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (bound, continuation) = AsyncThrowingStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            server: try tls.map { try .tls(.http1(configuration: .init(additionalChannelHandlers: [BadRequestCloser()])), tlsConfiguration: $0) }
                ?? .http1(configuration: .init(additionalChannelHandlers: [BadRequestCloser()])),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? port) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            do {
                try await group.run()
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
                throw error
            }
        }
        do {
            for try await actualPort in bound {
                return ApplicationServer(host: host, port: actualPort, scheme: tls == nil ? "http" : "https", group: group, task: task)
            }
        } catch {
            throw ListenError.wrapping(error, host: host, port: port)
        }
        throw CancellationError()
    }

    /// Stops accepting connections, lets requests in flight finish for up to `grace`, then
    /// cancels what is left and waits for the server task to end.
    public func stop(grace: Duration) async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let watchdog = Task {
            try await Task.sleep(for: grace)
            task.cancel()
        }
        _ = await task.result
        watchdog.cancel()
    }

    /// A logger that only reports warnings and errors (servers in tests and the demo).
    public static func quietLogger(label: String = "aomi-archive") -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }
}
