import Crypto
import Foundation
import SwiftASN1
import X509

/// Certificates made afresh for one test run (never committed keys): a test CA, and server
/// certificates for `localhost` and 127.0.0.1 that are good, expired, for another host, or
/// signed by a CA nobody trusts. Each is written as PEM files into `folder`.
public struct TestCertificates: Sendable {
    /// One server certificate and its key, as files.
    public struct Pair: Sendable {
        public let certificateFile: String
        public let keyFile: String
    }

    public let folder: String
    /// The CA that signed `good`, `expired` and `wrongHost` (give it as `--upstream-ca`).
    public let caFile: String
    public let good: Pair
    public let expired: Pair
    public let wrongHost: Pair
    /// Signed by a second CA that is not in `caFile`.
    public let unknownCA: Pair
    /// A CA whose own certificate has expired (give it as a second `--upstream-ca`), and a
    /// server certificate, valid itself, that it signed.
    public let expiredCAFile: String
    public let issuedByExpiredCA: Pair

    public static func make() throws -> TestCertificates {
        let folder = TemporaryDirectory.path("aomi-tls")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let now = Date()
        let ca = try Authority(name: "aomi-archive test CA", now: now)
        let stranger = try Authority(name: "a CA nobody trusts", now: now)
        let lapsed = try Authority(name: "aomi-archive lapsed CA", from: now - 86_400 * 10, until: now - 86_400)
        try ca.certificate.serializeAsPEM().pemString.write(toFile: folder + "/ca.pem", atomically: true, encoding: .utf8)
        try lapsed.certificate.serializeAsPEM().pemString.write(toFile: folder + "/lapsed-ca.pem", atomically: true, encoding: .utf8)
        let local: [GeneralName] = [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]
        return TestCertificates(
            folder: folder, caFile: folder + "/ca.pem",
            good: try ca.issue("good", names: local, from: now - 3600, until: now + 86_400, into: folder),
            expired: try ca.issue("expired", names: local, from: now - 2 * 86_400, until: now - 86_400, into: folder),
            wrongHost: try ca.issue("wrong-host", names: [.dnsName("wrong.example")], from: now - 3600, until: now + 86_400, into: folder),
            unknownCA: try stranger.issue("unknown-ca", names: local, from: now - 3600, until: now + 86_400, into: folder),
            expiredCAFile: folder + "/lapsed-ca.pem",
            issuedByExpiredCA: try lapsed.issue("lapsed-ca-leaf", names: local, from: now - 3600, until: now + 86_400, into: folder))
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private struct Authority {
        let key = P256.Signing.PrivateKey()
        let name: DistinguishedName
        let certificate: Certificate

        init(name commonName: String, now: Date) throws {
            try self.init(name: commonName, from: now - 86_400 * 3, until: now + 86_400 * 3)
        }

        init(name commonName: String, from: Date, until: Date) throws {
            name = try DistinguishedName { CommonName(commonName) }
            certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                notValidBefore: from, notValidAfter: until, issuer: name, subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                },
                issuerPrivateKey: .init(key))
        }

        func issue(_ label: String, names: [GeneralName], from: Date, until: Date, into folder: String) throws -> Pair {
            let leafKey = P256.Signing.PrivateKey()
            let leaf = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
                notValidBefore: from, notValidAfter: until, issuer: name, subject: try DistinguishedName { CommonName(label) },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames(names)
                },
                issuerPrivateKey: .init(key))
            let pair = Pair(certificateFile: "\(folder)/\(label).pem", keyFile: "\(folder)/\(label)-key.pem")
            try leaf.serializeAsPEM().pemString.write(toFile: pair.certificateFile, atomically: true, encoding: .utf8)
            try leafKey.pemRepresentation.write(toFile: pair.keyFile, atomically: true, encoding: .utf8)
            return pair
        }
    }
}
