import Logging

/// What every connection of one recording proxy shares.
struct ProxyShared: Sendable {
    let configuration: RecorderConfiguration
    let upstream: UpstreamAddress
    let recorder: ExchangeRecorder
    let sessions: SessionDirectory
    let registry: ConnectionRegistry
    let logger: Logger
}

/// Host and port of the upstream, from its base URL (plain `http://` only).
struct UpstreamAddress: Sendable {
    let host: String
    let port: Int
    /// The `Host` header requests carry upstream.
    let hostHeader: String

    init(_ baseURL: String) throws(RecorderError) {
        guard baseURL.lowercased().hasPrefix("http://") else {
            throw .invalidUpstream(baseURL, reason: "only plain http:// upstreams are supported")
        }
        let authority = baseURL.dropFirst("http://".count).split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let parts = authority.split(separator: ":")
        guard let host = parts.first, !host.isEmpty else { throw .invalidUpstream(baseURL, reason: "no host") }
        let port = parts.count > 1 ? Int(parts[1]) : 80
        guard let port, (1...65535).contains(port) else { throw .invalidUpstream(baseURL, reason: "bad port") }
        self.host = String(host)
        self.port = port
        hostHeader = authority
    }
}
