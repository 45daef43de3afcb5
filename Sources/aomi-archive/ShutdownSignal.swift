import Dispatch
import Foundation

/// SIGINT and SIGTERM, caught from the moment it is made, so that servers stop cleanly: made
/// before a server starts, a signal that comes while it starts (a supervisor stopping it at
/// once) is kept, not left to kill the process with its files open.
struct ShutdownSignal: @unchecked Sendable {
    private let stream: AsyncStream<Int32>
    private let sources: [DispatchSourceSignal]

    /// Starts catching both signals now.
    static func catching() -> ShutdownSignal {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            sources.append(source)
        }
        return ShutdownSignal(stream: stream, sources: sources)
    }

    /// Returns once a signal came (at once when one came before).
    func wait() async {
        for await _ in stream { break }
        sources.forEach { $0.cancel() }
    }
}
