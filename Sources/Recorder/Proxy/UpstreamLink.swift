import NIOCore
import NIOHTTP1

/// The upstream connection of one client connection of the proxy, opened at its first request
/// and kept while both sides keep theirs.
enum UpstreamLink {
    /// None open: none was needed yet, or the last one closed or was dropped.
    case none
    /// Being opened; the request parts that arrived meanwhile go out once it is.
    case connecting(pending: [HTTPClientRequestPart])
    /// Open. `failure` is TLS's error, kept when it came before the connection closed, to name
    /// the cause in the 502.
    case connected(any Channel, failure: (any Error)?)

    /// The open connection, if any.
    var channel: (any Channel)? {
        if case .connected(let channel, _) = self { return channel }
        return nil
    }
}
