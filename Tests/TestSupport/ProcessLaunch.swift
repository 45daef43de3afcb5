import Foundation
import Synchronization

/// Starts child processes one at a time. Foundation on Linux sees a child end through a
/// socket pair whose child end it passes to that child and closes only once the child is
/// spawned; a process spawned meanwhile on another thread inherits that end too, and the first
/// child's end is then seen only when the second one exits. With a long-lived second child (a
/// PostgreSQL server, a `sim serve`), a test waiting for `initdb` waited past its time limit.
public enum ProcessLaunch {
    private static let launching = Mutex(())

    /// `process.run()`, with no other launch of this process's tests under way.
    public static func run(_ process: Process) throws {
        try launching.withLock { _ in try process.run() }
    }
}
