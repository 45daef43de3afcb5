import AomiAPI
import AomiArchive

/// What a crawl did: threads found, exchanges recorded, and what failed.
public struct CrawlReport: Sendable {
    public var wallet: WalletAddress
    public var threads = 0
    public var exchanges = 0
    public var failures: [CrawlFailure] = []
}

/// One request of a crawl that did not get the answer it needed.
public struct CrawlFailure: Sendable, CustomStringConvertible {
    /// The thread it belonged to (nil for the thread list).
    public var sessionID: String?
    public var request: String
    public var reason: String

    public var description: String {
        "\(sessionID.map { "session \($0): " } ?? "")\(request): \(reason)"
    }
}

/// Progress of a crawl: threads done out of the total, and the one just finished.
public struct CrawlProgress: Sendable {
    public var done: Int
    public var total: Int
    public var sessionID: String
    public var failed: Bool
}
