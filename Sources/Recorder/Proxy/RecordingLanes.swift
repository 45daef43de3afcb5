import Synchronization

/// The recording lanes of a proxy's closed connections that still have archive work queued,
/// so that a stop returns only once everything its connections saw is archived.
final class RecordingLanes: Sendable {
    private let draining = Mutex<[ObjectIdentifier: Task<Void, Never>]>([:])

    /// Takes over the lane of a connection that closed; it is forgotten once it has drained.
    func add(_ lane: RecordingLane) {
        let id = ObjectIdentifier(lane)
        draining.withLock { $0[id] = lane.drained }
        Task { [weak self] in
            await lane.drained.value
            _ = self?.draining.withLock { $0.removeValue(forKey: id) }
        }
    }

    /// Waits until every lane handed over has run all its jobs. Call it once no connection is
    /// open: a connection hands its lane over before its close completes.
    func waitUntilDrained() async {
        var awaited: Set<ObjectIdentifier> = []
        while true {
            let pending = draining.withLock { $0.filter { !awaited.contains($0.key) } }
            if pending.isEmpty { return }
            for (id, drained) in pending {
                awaited.insert(id)
                await drained.value
            }
        }
    }
}
