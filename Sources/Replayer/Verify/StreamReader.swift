import AsyncHTTPClient
import NIOCore

/// An updates stream opened by `verify`: its head, and every byte of its events as they come.
actor StreamReader {
    private(set) var head: (status: Int, fields: [(String, String)])?
    private(set) var bytes: [UInt8] = []
    private(set) var failure: String?
    private var finished = false
    private var task: Task<Void, Never>?

    /// Sends the request and returns once the head has arrived; events are read in the background.
    func open(_ request: HTTPClientRequest, client: HTTPClient) async {
        do {
            let response = try await client.execute(request, timeout: .seconds(120))
            head = (Int(response.status.code), response.headers.map { ($0.name, $0.value) })
            task = Task { await self.read(response.body) }
        } catch {
            failure = "\(error)"
            finished = true
        }
    }

    private func read(_ body: HTTPClientResponse.Body) async {
        do {
            for try await part in body { bytes += part.readableBytesView }
        } catch {}
        finished = true
    }

    /// Whether the stream has ended (or never opened).
    var isFinished: Bool { finished }

    /// Closes the stream: at once, or (for a stream the recorded server ended) once the replay
    /// ends it; `patience` only bounds a replay that never does.
    func close(waitingForServer: Bool, patience: Duration) async {
        if waitingForServer {
            let deadline = ContinuousClock.now + patience
            while !finished, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        }
        task?.cancel()
        task = nil
    }
}
