import Synchronization

/// Which new sessions rerun which recorded ones, told to an in-process recorder by
/// `aomi-archive rerun` before it sends a session's first request, so that the proxy marks
/// their records without anything extra travelling to the upstream.
public final class RerunMarks: Sendable {
    private let originals = Mutex<[String: String]>([:])

    public init() {}

    /// From now on the records of `session` say it reruns `original`.
    public func mark(_ session: String, rerunOf original: String) {
        originals.withLock { $0[session] = original }
    }

    /// The session `session` reruns, if it is a rerun.
    public func original(of session: String?) -> String? {
        guard let session else { return nil }
        return originals.withLock { $0[session] }
    }
}
