import AomiAPI
import AomiArchive
import TLSSupport

/// What `aomi-archive crawl` pulls, from where, and how patiently.
public struct CrawlConfiguration: Sendable {
    /// Scheme, host and port of the Aomi backend.
    public var upstream: String
    /// How an `https://` upstream is verified (the client given to the crawler must use the same).
    public var upstreamTLS: UpstreamTLS
    public var wallet: WalletAddress
    /// Sent as `AOMI-APP-KEY` (and recorded only as its redaction token).
    public var appKey: String?
    /// Longest wait for one response.
    public var timeout: Duration
    /// Threads crawled at once.
    public var concurrency: Int
    /// Largest response body read.
    public var maxBodyBytes: Int

    public init(
        upstream: String, upstreamTLS: UpstreamTLS = .systemTrust, wallet: WalletAddress, appKey: String? = nil, timeout: Duration = .seconds(30), concurrency: Int = 4,
        maxBodyBytes: Int = 64 << 20
    ) {
        self.upstream = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
        self.upstreamTLS = upstreamTLS
        self.wallet = wallet
        self.appKey = appKey
        self.timeout = timeout
        self.concurrency = concurrency
        self.maxBodyBytes = maxBodyBytes
    }
}
