import AomiAPI
import AomiClient
import Synchronization

/// Keeps a session's `/api/updates` open as the real client does, reconnecting after 500 ms and
/// doubling up to 10 s. What it carries is recorded by the proxy it goes through; the rerun
/// reads the events back from the records.
final class UpdatesListener: Sendable {
    private let http: ClientHTTP
    private let session: String
    private let reconnectDelay: Duration
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let attempt = Mutex<(done: Bool, failure: String?, waiters: [CheckedContinuation<String?, Never>])>((false, nil, []))

    init(http: ClientHTTP, session: String, reconnectDelay: Duration) {
        self.http = http
        self.session = session
        self.reconnectDelay = reconnectDelay
    }

    func start() {
        task.withLock { $0 = Task { await self.listen() } }
    }

    func stop() {
        task.withLock { $0?.cancel() }
        finishAttempt(failure: "stopped")
    }

    /// Waits for the first attempt to open the channel: nil when it opened, else why not.
    func firstAttempt() async -> String? {
        await withCheckedContinuation { continuation in
            let answer: String?? = attempt.withLock { state in
                if state.done { return .some(state.failure) }
                state.waiters.append(continuation)
                return .none
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    private func finishAttempt(failure: String?) {
        let waiters = attempt.withLock { state -> [CheckedContinuation<String?, Never>] in
            guard !state.done else { return [] }
            state.done = true
            state.failure = failure
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume(returning: failure) }
    }

    private func listen() async {
        var delay = reconnectDelay
        while !Task.isCancelled {
            do {
                let response = try await http.openUpdates(session: session)
                finishAttempt(failure: response.status == .ok ? nil : "HTTP \(response.status.code)")
                if response.status == .ok { delay = reconnectDelay }
                for try await _ in response.body {}
            } catch {
                finishAttempt(failure: "\(error)")
            }
            if Task.isCancelled { return }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(10))
        }
    }
}
