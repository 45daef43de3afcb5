import AomiAPI

/// Collects what one thread's updates channel delivered, across reconnects.
actor UpdatesCollector {
    private(set) var events: [String] = []
    private(set) var title: String?
    private(set) var reconnects = 0
    private var connected = false
    private var firstFailure: String?
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func add(_ event: UpdateEvent) {
        switch event.type {
        case UpdateEvent.Kind.titleChanged:
            title = event.newTitle
            events.append("title_changed: \(event.newTitle ?? "")")
        case UpdateEvent.Kind.toolUpdate:
            events.append("tool_update: \(event.toolName ?? "?") \(event.progress ?? 0)%")
        case UpdateEvent.Kind.toolComplete:
            events.append("tool_complete: \(event.toolName ?? "?")")
        case UpdateEvent.Kind.systemNotice:
            events.append("system_notice: \(event.message ?? "")")
        default:
            events.append(event.type)
        }
        resumeWaiters()
    }

    func markConnected() {
        connected = true
        resumeWaiters()
    }

    /// An attempt to open the channel was refused or failed (the listener tries again).
    func markFailedAttempt(_ reason: String) {
        if firstFailure == nil { firstFailure = reason }
        resumeWaiters()
    }

    func noteReconnect() {
        reconnects += 1
    }

    /// Waits until the channel is open (nil) or an attempt to open it failed (its reason): no
    /// time limit, so a slow machine never turns a channel that opens into an error.
    func waitForFirstAttempt() async -> String? {
        while !connected, firstFailure == nil {
            await withCheckedContinuation { waiters.append($0) }
        }
        return connected ? nil : firstFailure
    }

    /// Waits until a title arrived or `timeout` passes.
    func waitForTitle(timeout: Duration) async -> String? {
        _ = await wait(timeout: timeout) { $0.title != nil }
        return title
    }

    private func wait(timeout: Duration, until condition: @escaping (isolated UpdatesCollector) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition(self), ContinuousClock.now < deadline {
            let timer = Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(20))
                await self?.resumeWaiters()
            }
            await withCheckedContinuation { waiters.append($0) }
            timer.cancel()
        }
        return condition(self)
    }

    private func resumeWaiters() {
        let pending = waiters
        waiters = []
        pending.forEach { $0.resume() }
    }
}
