/// A recorded SSE event placed causally: it may be sent once the replayed client has made
/// `threshold` requests (other than `/api/updates`) in its session, and, with the recorded
/// clock, `delay` after the last of them.
struct ScheduledEvent: Sendable {
    var bytes: [UInt8]
    var threshold: Int
    var delay: Duration
    /// The recorded stream ended (by the server) after this event: the replay ends it too.
    var endsStream: Bool
}
