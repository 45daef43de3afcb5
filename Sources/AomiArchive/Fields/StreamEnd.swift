/// How a recorded stream ended: the value of `Aomi-Stream-End` on its last segment.
public enum StreamEnd: String, Sendable, CaseIterable {
    /// The upstream ended the response.
    case upstreamClosed = "upstream-closed"
    /// The client went away first.
    case clientClosed = "client-closed"
    /// The recorder shut down while the stream was open (it ends the relay gracefully).
    case recorderStopped = "recorder-stopped"
    /// The upstream connection failed, the recorder could not write an event it had to, or the
    /// file was repaired after a crash.
    case error

    /// Whether the server side ended the stream (a replay then ends it too; otherwise the
    /// client left, and a replay keeps it open).
    public var endedByServer: Bool { self == .upstreamClosed || self == .error }
}
