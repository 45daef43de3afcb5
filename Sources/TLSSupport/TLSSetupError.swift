import NIOSSL

/// A TLS setting that cannot be used, found at start (a missing or unreadable file).
public enum TLSSetupError: Error, CustomStringConvertible {
    case unreadableCertificates(file: String, reason: String)
    case unreadableKey(file: String, reason: String)
    case context(reason: String)

    public var description: String {
        switch self {
        case let .unreadableCertificates(file, reason): "cannot read certificates from \(file): \(reason)"
        case let .unreadableKey(file, reason): "cannot read a private key from \(file): \(reason)"
        case let .context(reason): "cannot set up TLS: \(reason)"
        }
    }
}

extension TLSSetupError {
    /// The NIOSSL context of `configuration`, or the reason it cannot be made.
    static func context(for configuration: TLSConfiguration) throws(TLSSetupError) -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .context(reason: "\(error)")
        }
    }
}
