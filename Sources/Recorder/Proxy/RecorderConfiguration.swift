import HTTPServing
import TLSSupport

/// How `aomi-archive record` proxies and records.
public struct RecorderConfiguration: Sendable {
    /// Scheme, host and port of the Aomi backend (`https://api.aomi.dev`, `http://127.0.0.1:8080`).
    public var upstream: String
    /// How an `https://` upstream is verified.
    public var upstreamTLS: UpstreamTLS
    /// Longest wait for the upstream's response head before answering 504.
    public var upstreamTimeout: Duration
    /// Longest wait for a TCP connection to the upstream (TLS handshake aside) before 502.
    public var upstreamConnectTimeout: Duration = .seconds(5)
    /// Largest request body accepted (413 above).
    public var maxRequestBodyBytes: Int
    /// Largest request head (target and header fields) accepted (431 above).
    public var maxHeaderBytes: Int
    /// Largest response body kept for the archive; larger bodies are still relayed whole.
    public var maxRecordedBodyBytes: Int
    /// Answer 503 (instead of the upstream's answer marked `X-Aomi-Recorded: no`) when an
    /// exchange could not be written, and cut a stream whose events cannot be.
    public var requireRecording: Bool
    /// Sessions (and `client_id`s) remembered for wallet binding and numbering; the least
    /// recently used are forgotten past it.
    public var sessionMemory: Int
    /// Sessions that rerun a recorded one (`aomi-archive rerun`): their records are marked
    /// `Aomi-Rerun-Of`.
    public var rerunMarks: RerunMarks?
    /// What `GET /metrics` answers; nil forwards that path like any other.
    public var metrics: MetricsEndpoint?

    public static let defaultSessionMemory = 100_000

    public init(
        upstream: String, upstreamTLS: UpstreamTLS = .systemTrust, upstreamTimeout: Duration = .seconds(30), maxRequestBodyBytes: Int = 8 << 20, maxHeaderBytes: Int = 32 << 10,
        maxRecordedBodyBytes: Int = 64 << 20, requireRecording: Bool = false, sessionMemory: Int = defaultSessionMemory,
        rerunMarks: RerunMarks? = nil
    ) {
        self.upstream = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
        self.upstreamTLS = upstreamTLS
        self.upstreamTimeout = upstreamTimeout
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxRecordedBodyBytes = maxRecordedBodyBytes
        self.requireRecording = requireRecording
        self.sessionMemory = sessionMemory
        self.rerunMarks = rerunMarks
    }
}

extension RecorderConfiguration {
    /// Checks an upstream base URL (`http://` or `https://`, a host, a valid port) before
    /// anything is created for it.
    public static func checkUpstream(_ baseURL: String) throws(RecorderError) {
        _ = try UpstreamAddress(baseURL)
    }
}
