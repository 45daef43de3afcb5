/// What the user sent to start one turn: `POST /api/chat`'s query arguments as the client
/// sent them (`client_id` aside: every run has its own).
public struct UserTurn: Sendable, Hashable, Codable {
    public var message: String
    public var app: String?
    public var publicKey: String?
    /// `user_state` as the JSON text the client sent.
    public var userState: String?

    enum CodingKeys: String, CodingKey {
        case message, app
        case publicKey = "public_key"
        case userState = "user_state"
    }

    public init(message: String, app: String? = nil, publicKey: String? = nil, userState: String? = nil) {
        self.message = message
        self.app = app
        self.publicKey = publicKey
        self.userState = userState
    }
}

/// One thing the user's client did, in order: choose a model, or send a message.
public enum UserStep: Sendable, Hashable {
    case chooseModel(String)
    case chat(UserTurn)
}

/// How the user answered a wallet request: the answer's kind and verdict, not its proof
/// (a transaction hash or a signature differs on every run).
public enum WalletVerdict: String, Sendable, Hashable, Codable {
    case signed
    case rejected
}
