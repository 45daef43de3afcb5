import ArgumentParser
import Foundation
import TLSSupport

/// `--upstream-ca` and `--upstream-insecure`, for the commands that talk to a backend
/// (`record`, `crawl`, `replay --fallback`).
struct UpstreamTLSOptions: ParsableArguments {
    @Option(help: "A PEM file of CA certificates trusted for an https:// upstream besides the system's (repeatable).")
    var upstreamCa: [String] = []

    @Flag(help: "Do not verify the https:// upstream's certificate at all (warned at start and written into every archive file's warcinfo).")
    var upstreamInsecure = false

    /// The settings, with the CA files read (a bad one stops the command here); warns on stderr
    /// when verification is off.
    func settings() throws -> UpstreamTLS {
        let settings = try UpstreamTLS(caFiles: upstreamCa, insecure: upstreamInsecure)
        if settings.isInsecure { FileHandle.standardError.write(Data("warning: \(UpstreamTLS.insecureWarning)\n".utf8)) }
        return settings
    }

    /// What each archive file's `warcinfo` says about how the upstream was verified.
    var warcinfo: [(String, String)] {
        if upstreamInsecure { return [("upstream-tls", "NOT VERIFIED: " + UpstreamTLS.insecureWarning)] }
        return upstreamCa.isEmpty ? [] : [("upstream-tls", "verified against the system trust store and " + upstreamCa.joined(separator: ", "))]
    }
}

/// `--tls-cert` and `--tls-key`: HTTPS on a server's own listener.
struct ListenerTLSOptions: ParsableArguments {
    @Option(help: "PEM certificate chain for serving HTTPS (with --tls-key); plain HTTP without it.")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    /// The listener's TLS, with both files read; nil for plain HTTP.
    func settings() throws -> ListenerTLS? {
        guard let tlsCert, let tlsKey else { return nil }
        return try ListenerTLS(certificateFile: tlsCert, keyFile: tlsKey)
    }
}
