/// A server that is listening: where to reach it, and how to stop it gracefully. The
/// simulator (`ApplicationServer`), the recording proxy and the replay (`ChannelServer`) all
/// are one, so commands and tests start, address and stop them the same way.
public protocol RunningServer: Sendable {
    var host: String { get }
    /// The bound port (the free one chosen when started with port 0).
    var port: Int { get }
    /// `http`, or `https` when listening with TLS.
    var scheme: String { get }
    /// Stops accepting connections, lets the work in flight finish for up to `grace`, then
    /// closes what is left; returns once everything has stopped.
    func stop(grace: Duration) async
}

extension RunningServer {
    /// `scheme://host:port`, with an IPv6 host in brackets.
    public var baseURL: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Stops with the default grace period of two seconds.
    public func stop() async { await stop(grace: .seconds(2)) }
}
