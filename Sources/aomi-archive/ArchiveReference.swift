import Recorder
import Synchronization

/// The archive, once it exists, for the retention policy created before it.
final class ArchiveReference: Sendable {
    private let stored = Mutex<WalletArchive?>(nil)
    var archive: WalletArchive? { stored.withLock { $0 } }
    func set(_ archive: WalletArchive) { stored.withLock { $0 = archive } }
}
