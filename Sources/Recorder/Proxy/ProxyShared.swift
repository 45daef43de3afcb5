import HTTPServing
import Logging
import NIOSSL
import TLSSupport

/// What every connection of one recording proxy shares.
struct ProxyShared: Sendable {
    let configuration: RecorderConfiguration
    let upstream: UpstreamAddress
    /// How connections to the upstream are opened (TCP, and TLS for an `https://` upstream).
    let connector: UpstreamConnector
    let recorder: ExchangeRecorder
    let sessions: SessionDirectory
    let lanes: RecordingLanes
    /// Keeps the listener answering when the process runs out of descriptors.
    let descriptors: DescriptorReserve
    let logger: Logger
}

/// Scheme, host and port of the upstream, from its base URL (`http://` or `https://`).
struct UpstreamAddress: Sendable {
    let host: String
    let port: Int
    let usesTLS: Bool
    /// The `Host` header requests carry upstream.
    let hostHeader: String

    init(_ baseURL: String) throws(RecorderError) {
        let lower = baseURL.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") {
            scheme = "https://"
        } else if lower.hasPrefix("http://") {
            scheme = "http://"
        } else {
            throw .invalidUpstream(baseURL, reason: "expected http:// or https://")
        }
        let authority = baseURL.dropFirst(scheme.count).split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let (host, portText) = Self.split(authority)
        guard !host.isEmpty else { throw .invalidUpstream(baseURL, reason: "no host") }
        let port = portText.map { Int($0) } ?? (scheme == "https://" ? 443 : 80)
        guard let port, (1...65535).contains(port) else { throw .invalidUpstream(baseURL, reason: "bad port") }
        self.host = host
        self.port = port
        usesTLS = scheme == "https://"
        hostHeader = authority
    }

    /// Host and port of an authority, `[::1]:8080` included.
    private static func split(_ authority: String) -> (host: String, port: Substring?) {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            return (host, rest.hasPrefix(":") ? rest.dropFirst() : nil)
        }
        let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts.first ?? ""), parts.count > 1 ? parts[1] : nil)
    }
}
