/// The WARC header fields aomi-archive adds to its records: written by the recorder, read by
/// the index and the replayer.
public enum AomiField {
    public static let sessionID = "Aomi-Session-Id"
    public static let wallet = "Aomi-Wallet"
    public static let exchangeSeq = "Aomi-Exchange-Seq"
    public static let capture = "Aomi-Capture"
    public static let streamEnd = "Aomi-Stream-End"
    public static let upstreamError = "Aomi-Upstream-Error"
}
