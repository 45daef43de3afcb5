import NIOSSL

/// TLS on one of our own listeners (`--tls-cert`, `--tls-key` of `record`, `replay` and
/// `sim`), for a server shared on a host that is not loopback. Loopback stays plain HTTP
/// unless asked.
public struct ListenerTLS: Sendable {
    public let certificateFile: String
    public let keyFile: String
    private let chain: [NIOSSLCertificate]
    private let key: NIOSSLPrivateKey

    /// Reads both files now, so that a bad one stops the command at start.
    public init(certificateFile: String, keyFile: String) throws(TLSSetupError) {
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw .unreadableCertificates(file: certificateFile, reason: "\(error)")
        }
        guard !chain.isEmpty else { throw .unreadableCertificates(file: certificateFile, reason: "no PEM certificate in it") }
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw .unreadableKey(file: keyFile, reason: "\(error)")
        }
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// The server configuration (also what Hummingbird's TLS channel is given).
    public var configuration: TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }

    public func makeContext() throws(TLSSetupError) -> NIOSSLContext {
        try TLSSetupError.context(for: configuration)
    }
}
