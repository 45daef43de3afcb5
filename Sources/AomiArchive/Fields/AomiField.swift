/// The WARC header fields aomi-archive adds to its records: written by the recorder, read by
/// the index and the replayer.
public enum AomiField {
    public static let sessionID = "Aomi-Session-Id"
    public static let wallet = "Aomi-Wallet"
    public static let exchangeSeq = "Aomi-Exchange-Seq"
    public static let capture = "Aomi-Capture"
    public static let streamEnd = "Aomi-Stream-End"
    public static let upstreamError = "Aomi-Upstream-Error"
    /// The `client_id` the request carried (query parameter or JSON body): the real client's
    /// second volatile identifier, which the replay aliases as it does session ids.
    public static let clientID = "Aomi-Client-Id"
    /// The session a `rerun` sent again: on every record of the rerun's session.
    public static let rerunOf = "Aomi-Rerun-Of"
}
