import NIOHTTP1

/// The upstream connection of one client connection of the proxy, opened at its first request
/// and kept while both sides keep theirs. Each attempt to open one is numbered, so that what a
/// dropped connection still reports is told apart from the current one's.
enum UpstreamState {
    /// None open: none was needed yet, or the last one closed or was dropped.
    case none
    /// Being opened; the request parts that arrived meanwhile go out once it is.
    case connecting(attempt: Int, pending: [HTTPClientRequestPart])
    /// Open. `tlsFailure` is TLS's error, kept when it came before the connection closed, to
    /// name the cause in the 502.
    case connected(attempt: Int, tlsFailure: (any Error)?)

    /// Whether `attempt` is the open connection.
    func isConnected(_ attempt: Int) -> Bool {
        if case .connected(let current, _) = self { return current == attempt }
        return false
    }
}
