import NIOCore
import Synchronization

/// The open client connections of a proxy and the recording lanes still draining, so that a
/// stop can end them gracefully and wait until everything they saw is archived.
final class ConnectionRegistry: Sendable {
    private struct Entry: @unchecked Sendable {
        let handler: NIOLoopBound<ProxyConnectionHandler>
        let channel: any Channel
    }

    private struct State {
        var open: [ObjectIdentifier: Entry] = [:]
        var draining: [ObjectIdentifier: Task<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    func add(_ handler: ProxyConnectionHandler, channel: any Channel) {
        let entry = Entry(handler: NIOLoopBound(handler, eventLoop: channel.eventLoop), channel: channel)
        state.withLock { $0.open[ObjectIdentifier(handler)] = entry }
    }

    func remove(_ handler: ProxyConnectionHandler, lane: RecordingLane) {
        let id = ObjectIdentifier(handler)
        state.withLock { state in
            state.open[id] = nil
            state.draining[id] = lane.drained
        }
        Task { [weak self] in
            await lane.drained.value
            _ = self?.state.withLock { $0.draining.removeValue(forKey: id) }
        }
    }

    var openCount: Int { state.withLock { $0.open.count } }

    /// Asks every open connection to stop (on its event loop).
    func stopAll() {
        for entry in state.withLock({ Array($0.open.values) }) {
            let handler = entry.handler
            entry.channel.eventLoop.execute { handler.value.beginStopping() }
        }
    }

    /// Closes whatever connection is still open.
    func closeAll() {
        for entry in state.withLock({ Array($0.open.values) }) { entry.channel.close(promise: nil) }
    }

    /// Waits until every connection open now (and any accepted meanwhile) has closed: each
    /// connection's close is awaited once, nothing is polled.
    func waitUntilClosed() async {
        var awaited: Set<ObjectIdentifier> = []
        while true {
            let pending = state.withLock { $0.open.filter { !awaited.contains($0.key) } }
            if pending.isEmpty { return }
            for (id, entry) in pending {
                awaited.insert(id)
                try? await entry.channel.closeFuture.get()
            }
        }
    }

    /// Waits until every closed connection's recording lane has run all its jobs (call it once
    /// no connection is open: a closed connection hands its lane over before its close completes).
    func waitForLanes() async {
        var awaited: Set<ObjectIdentifier> = []
        while true {
            let pending = state.withLock { $0.draining.filter { !awaited.contains($0.key) } }
            if pending.isEmpty { return }
            for (id, lane) in pending {
                awaited.insert(id)
                await lane.value
            }
        }
    }
}
