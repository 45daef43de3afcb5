import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import X509

/// Explains why BoringSSL refused an upstream's certificate ("has expired", "not signed by a
/// trusted CA", "not valid for host …"): BoringSSL only says that it did. A second handshake
/// hands the chain the upstream presents to swift-certificates' verifier, which names the
/// broken rule, and is then abandoned. The decision stays BoringSSL's; this only explains it.
public enum TLSDiagnosis {
    /// The reason, or nil when the second look finds nothing wrong (or cannot connect).
    public static func explain(host: String, port: Int, tls: UpstreamTLS, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async -> String? {
        let verdict = Verdict()
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.applicationProtocols = ["http/1.1"]
        configuration.certificateVerification = .fullVerification
        guard let context = try? NIOSSLContext(configuration: configuration) else { return nil }
        let isIP = UpstreamTLS.isIPAddress(host)
        let roots = privateRoots(of: tls)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let explain: NIOSSLCustomVerificationCallback = { presented, promise in
                        Task {
                            let reason = await verify(presented, host: host, isIP: isIP, privateRoots: roots)
                            verdict.set(reason)
                            promise.succeed(.failed)
                        }
                    }
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: isIP ? nil : host, customVerificationCallback: explain)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        guard let channel = try? await bootstrap.connect(host: host, port: port).get() else { return nil }
        _ = try? await channel.closeFuture.get()
        return verdict.reason
    }

    private static func privateRoots(of tls: UpstreamTLS) -> [Certificate] {
        tls.caFiles.flatMap { file -> [Certificate] in
            let certificates = (try? NIOSSLCertificate.fromPEMFile(file)) ?? []
            return certificates.compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }
        }
    }

    private static func verify(_ presented: [NIOSSLCertificate], host: String, isIP: Bool, privateRoots: [Certificate]) async -> String? {
        let chain = presented.compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }
        guard let leaf = chain.first else { return "the upstream presented no certificate" }
        var roots = CertificateStore.systemTrustRoots
        roots.append(contentsOf: privateRoots)
        var verifier = Verifier(rootCertificates: roots) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: isIP ? nil : host, serverIP: isIP ? host : nil)
        }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(Array(chain.dropFirst()))) {
        case .validCertificate:
            return nil
        case let .couldNotValidate(failures):
            return summary(of: failures.map { "\($0.policyFailureReason)" }, leaf: leaf, chains: failures.map { Array($0.chain) }, host: host)
        }
    }

    /// In words; an expiry names the certificate it is about: the server's, or that of a CA
    /// in its chain (the leaf is often fine when its CA has lapsed).
    private static func summary(of reasons: [String], leaf: Certificate, chains: [[Certificate]], host: String) -> String {
        let stamp = ISO8601DateFormatter()
        let now = Date()
        let candidates = [leaf] + chains.flatMap { $0 }
        if reasons.isEmpty {
            return "the certificate (\(leaf.issuer)) is not signed by a CA this process trusts (the system's or --upstream-ca)"
        }
        if reasons.contains(where: { $0.contains("has expired") }) {
            let expired = candidates.first { $0.notValidAfter < now } ?? leaf
            return "\(name(of: expired, leaf: leaf)) has expired (valid until \(stamp.string(from: expired.notValidAfter)))"
        }
        if reasons.contains(where: { $0.contains("not yet valid") }) {
            let early = candidates.first { $0.notValidBefore > now } ?? leaf
            return "\(name(of: early, leaf: leaf)) is not valid yet (valid from \(stamp.string(from: early.notValidBefore)))"
        }
        if reasons.contains(where: { $0.contains("SAN") || $0.contains("ommon name") }) {
            return "the certificate is not valid for \(host)"
        }
        return "the certificate was refused: " + reasons.joined(separator: "; ")
    }

    private static func name(of certificate: Certificate, leaf: Certificate) -> String {
        certificate == leaf ? "the certificate" : "the certificate of its issuing CA (\(certificate.subject))"
    }
}

/// The diagnosis handed from the verification callback to the caller.
private final class Verdict: Sendable {
    private let stored = Mutex<String?>(nil)
    var reason: String? { stored.withLock { $0 } }
    func set(_ reason: String?) { stored.withLock { $0 = reason } }
}
