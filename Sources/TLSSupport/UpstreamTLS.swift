import NIOCore
import NIOSSL

/// How aomi-archive speaks TLS to an `https://` upstream (`record`, `crawl`, `replay
/// --fallback`): TLS 1.2 or later, ALPN `http/1.1`, the server's certificate verified against
/// the system's trust store plus any private CA given with `--upstream-ca`, and its host name
/// (or IP address) checked. Verification can only be turned off with `--upstream-insecure`,
/// which says so at start and in every archive file's `warcinfo`.
public struct UpstreamTLS: Sendable {
    /// PEM files of private CAs trusted besides the system's.
    public let caFiles: [String]
    /// No verification at all (`--upstream-insecure`).
    public let isInsecure: Bool
    private let extraRoots: [NIOSSLCertificate]

    /// The system's trust store only, verification on: what an `https://` upstream gets
    /// unless told otherwise.
    public static let systemTrust = UpstreamTLS(caFiles: [], roots: [], insecure: false)

    private init(caFiles: [String], roots: [NIOSSLCertificate], insecure: Bool) {
        self.caFiles = caFiles
        self.extraRoots = roots
        self.isInsecure = insecure
    }

    /// Reads the CA files now, so that a bad one stops the command at start, not at the
    /// first request.
    public init(caFiles: [String] = [], insecure: Bool = false) throws(TLSSetupError) {
        var roots: [NIOSSLCertificate] = []
        for file in caFiles {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(file)
            } catch {
                throw .unreadableCertificates(file: file, reason: "\(error)")
            }
            guard !certificates.isEmpty else { throw .unreadableCertificates(file: file, reason: "no PEM certificate in it") }
            roots += certificates
        }
        self.init(caFiles: caFiles, roots: roots, insecure: insecure)
    }

    /// The warning printed at start and kept in each file's `warcinfo` when verification is off.
    public static let insecureWarning = "upstream TLS certificates are NOT verified (--upstream-insecure): anyone on the path can read and change the recorded traffic"

    /// The client configuration (also what AsyncHTTPClient is given).
    public var configuration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        if isInsecure {
            configuration.certificateVerification = .none
        } else {
            configuration.certificateVerification = .fullVerification
            if !extraRoots.isEmpty { configuration.additionalTrustRoots = [.certificates(extraRoots)] }
        }
        return configuration
    }

    /// One context for every connection of a process (it holds the parsed trust store).
    public func makeContext() throws(TLSSetupError) -> NIOSSLContext {
        try TLSSetupError.context(for: configuration)
    }

    /// The handler that starts TLS on a new upstream connection: SNI with the host name (none
    /// for an IP address, whose certificate is then checked against the address).
    public static func clientHandler(context: NIOSSLContext, host: String) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: isIPAddress(host) ? nil : host)
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host.trimmingCharacters(in: ["[", "]"]), port: 0)) != nil
    }
}
