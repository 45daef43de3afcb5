import NIOSSL

/// An upstream's TLS failure put in words a person can act on: what went wrong, not the
/// BoringSSL error stack.
public enum TLSFailure {
    /// The cause of `error` when it is a TLS failure (on a connection to `host`, when known);
    /// nil for any other error.
    public static func describe(_ error: any Error, host: String? = nil) -> String? {
        if let extra = error as? NIOSSLExtraError {
            switch extra {
            case .failedToValidateHostname: return "the certificate is not valid for " + (host ?? "this host name")
            case .serverHostnameImpossibleToMatch: return "the host name cannot match any certificate"
            default: return "TLS: \(extra)"
            }
        }
        guard let error = error as? NIOSSLError else { return nil }
        switch error {
        case let .handshakeFailed(boringError):
            return describeHandshake(boringError)
        case .uncleanShutdown:
            return "the upstream closed the TLS connection without a TLS close"
        default:
            return "TLS: \(error)"
        }
    }

    /// The cause of `error` when it is a TLS failure, with a refused certificate explained by a
    /// second look at it (`TLSDiagnosis`); nil for any other error.
    public static func explain(_ error: any Error, host: String, port: Int, tls: UpstreamTLS) async -> String? {
        guard let cause = describe(error, host: host) else { return nil }
        guard isCertificateRefusal(error) else { return cause }
        return await TLSDiagnosis.explain(host: host, port: port, tls: tls) ?? cause
    }

    /// True for a refused certificate, which `TLSDiagnosis` can explain further.
    public static func isCertificateRefusal(_ error: any Error) -> Bool {
        guard let error = error as? NIOSSLError, case let .handshakeFailed(boringError) = error else { return false }
        return codes(of: boringError).contains("CERTIFICATE_VERIFY_FAILED")
    }

    private static func describeHandshake(_ error: BoringSSLError) -> String {
        let codes = codes(of: error)
        if codes.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the upstream's certificate was refused"
        }
        if codes.contains("WRONG_VERSION_NUMBER") || codes.contains("HTTP_REQUEST") || codes.contains("PACKET_LENGTH_TOO_LONG")
            || codes.contains("RECORD_LENGTH_MISMATCH")
        {
            return "the upstream does not speak TLS on this port (plain HTTP?)"
        }
        if let alert = codes.first(where: { $0.contains("ALERT") }) {
            return "the upstream refused the TLS handshake (\(alert))"
        }
        if codes.contains("EOF during handshake") {
            return "the upstream closed the connection during the TLS handshake"
        }
        return "TLS handshake failed: " + (codes.isEmpty ? "\(error)" : codes.joined(separator: ", "))
    }

    /// BoringSSL's reason names (`CERTIFICATE_VERIFY_FAILED`), or a synthetic error's text.
    private static func codes(of error: BoringSSLError) -> [String] {
        let stack: NIOBoringSSLErrorStack
        switch error {
        case let .sslError(errors), let .unknownError(errors), let .invalidSNIName(errors), let .failedToSetALPN(errors): stack = errors
        default: return ["\(error)"]
        }
        return stack.map { entry in
            // "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at file:line",
            // or a synthetic one: "Error:  EOF during handshake".
            let text = entry.description
            guard let range = text.range(of: " error:") else {
                return text.hasPrefix("Error:  ") ? String(text.dropFirst("Error:  ".count)) : text
            }
            let fields = text[range.upperBound...].split(separator: ":", maxSplits: 4)
            guard fields.count >= 4 else { return text }
            return String(fields[3].split(separator: " ").first ?? fields[3])
        }
    }
}
