/// An access key pair, and a session token for temporary credentials. Its description
/// names the access key only: the secret never reaches a log or an error.
public struct StoreCredentials: Sendable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, when set, `AWS_SESSION_TOKEN`.
    public static func from(environment: [String: String]) throws(StoreError) -> StoreCredentials {
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty else { throw .missingSetting("AWS_ACCESS_KEY_ID") }
        guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else { throw .missingSetting("AWS_SECRET_ACCESS_KEY") }
        return StoreCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
    }

    public var description: String { "access key \(accessKeyID)" }
}
