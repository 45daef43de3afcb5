import HTTPServing
import Logging
import ServiceLifecycle

/// A server as a swift-service-lifecycle service: the group starts it, and its graceful
/// shutdown stops it (`RunningServer.stop`: connections drained, then closed).
struct ServerService: Service {
    /// Starts the server (and says where it listens).
    let start: @Sendable () async throws -> any RunningServer

    func run() async throws {
        let server = try await start()
        try? await gracefulShutdown()
        await server.stop()
    }
}

/// The one lifecycle of `sim`, `record` and `replay`: their servers run in a `ServiceGroup`,
/// which SIGINT and SIGTERM shut down gracefully. The signals are caught by `ShutdownSignal`
/// from the command's first line rather than by the group, whose handlers only exist once it
/// runs: a supervisor's stop that comes while a server starts is then kept, not fatal.
enum ServerLifecycle {
    static func run(_ services: [ServerService], until shutdown: ShutdownSignal, logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                await shutdown.wait()
                if !Task.isCancelled { await group.triggerGracefulShutdown() }
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }
}
