import WARC

/// Every recorded exchange of one session, in `Aomi-Exchange-Seq` order.
public struct RecordedSession: Sendable {
    public var id: String
    public var wallet: String?
    public var exchanges: [RecordedExchange]

    /// The session this one reruns (`Aomi-Rerun-Of`), nil for a session a client made.
    public var rerunOf: String? { exchanges.lazy.compactMap(\.rerunOf).first }

    /// When the session's first request arrived: fresh client sessions are aliased in this order.
    public var firstSeen: WARCDate { exchanges.first?.request.date ?? WARCDate(microsecondsSince1970: .max) }
}
