import NIOCore
import Synchronization

/// The open client connections of a `ChannelServer`, so that the end of a grace period can close
/// them all.
final class ConnectionSet: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        channels.withLock { $0[ObjectIdentifier(channel)] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = channels.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    func closeAll() {
        for channel in channels.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }

    var count: Int { channels.withLock { $0.count } }

    /// Waits until every connection open now (and any accepted meanwhile) has closed, awaiting
    /// each one's close once: nothing is polled.
    func waitUntilClosed() async {
        var awaited: Set<ObjectIdentifier> = []
        while true {
            let pending = channels.withLock { $0.filter { !awaited.contains($0.key) } }
            if pending.isEmpty { return }
            for (id, channel) in pending {
                awaited.insert(id)
                try? await channel.closeFuture.get()
            }
        }
    }
}
