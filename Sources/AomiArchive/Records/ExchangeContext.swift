import AomiAPI

/// Who an exchange belongs to, as the WARC records say it.
public struct ExchangeContext: Sendable {
    public var sessionID: String?
    public var wallet: WalletAddress?
    /// Per session, in order of request arrival.
    public var sequence: Int?
    /// How the exchange was captured (`Aomi-Capture`, written only for `crawl`).
    public var capture: CaptureKind
    /// The `client_id` the request carried.
    public var clientID: String?
    /// Scheme, host and port of the upstream, for `WARC-Target-URI`.
    public var origin: String
    /// The recorded session this one is a `rerun` of.
    public var rerunOf: String?

    public init(sessionID: String?, wallet: WalletAddress?, sequence: Int?, clientID: String? = nil, capture: CaptureKind = .proxy, origin: String, rerunOf: String? = nil) {
        self.sessionID = sessionID
        self.wallet = wallet
        self.sequence = sequence
        self.clientID = clientID
        self.capture = capture
        self.origin = origin
        self.rerunOf = rerunOf
    }

    public var fields: [(String, String)] {
        var fields: [(String, String)] = []
        if let sessionID { fields.append((AomiField.sessionID, sessionID)) }
        if let wallet { fields.append((AomiField.wallet, wallet.value)) }
        if let sequence { fields.append((AomiField.exchangeSeq, String(sequence))) }
        if let clientID { fields.append((AomiField.clientID, clientID)) }
        if capture != .proxy { fields.append((AomiField.capture, capture.rawValue)) }
        if let rerunOf { fields.append((AomiField.rerunOf, rerunOf)) }
        return fields
    }

    /// The folder of the archive root its records go to.
    public var folder: String { ArchiveFiles.folder(for: wallet) }
}
