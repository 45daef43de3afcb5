/// Where a replayed updates stream's events go: the server's open connection.
public protocol EventSink: AnyObject, Sendable {
    /// Sends one event's bytes.
    func send(_ bytes: [UInt8])
    /// Ends the stream, as the recorded server did.
    func finish()
}
