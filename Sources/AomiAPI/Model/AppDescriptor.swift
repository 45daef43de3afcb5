/// An App in `GET /api/control/apps`, with the secret slots it declares.
public struct AppDescriptor: Sendable, Hashable, Codable {
    /// A secret the App needs (`{"name", "description", "required"}`).
    public struct SecretSlot: Sendable, Hashable, Codable {
        public var name: String
        public var description: String
        public var required: Bool

        public init(name: String, description: String, required: Bool) {
            self.name = name
            self.description = description
            self.required = required
        }
    }

    public var name: String
    public var secrets: [SecretSlot]?

    public init(name: String, secrets: [SecretSlot]? = nil) {
        self.name = name
        self.secrets = secrets
    }
}
