import WARC

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
    /// The recording stops in the middle of the stream (its last segment carries
    /// `WARC-Truncated`, or was lost): read, never written as `Aomi-Stream-End`.
    case truncated

    /// How the stream of these continuation headers ended: `Aomi-Stream-End`, or `truncated`
    /// when the record says `WARC-Truncated`; nil when neither (the stream goes on).
    public init?(endOf headers: WARCHeaders) {
        if let value = headers[AomiField.streamEnd] {
            self.init(rawValue: value)
        } else if headers[WARCField.truncated] != nil {
            self = .truncated
        } else {
            return nil
        }
    }

    /// Whether the server side ended the stream (a replay then ends it too; otherwise the
    /// client left, and a replay keeps it open).
    public var endedByServer: Bool { self == .upstreamClosed || self == .error }
}
