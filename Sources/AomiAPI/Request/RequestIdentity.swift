/// Who a request belongs to: its session (the `X-Session-Id` header) and, when the request
/// names one, the wallet it binds the session to.
///
/// A wallet is named by `public_key` in the query (any endpoint) or in the JSON body of
/// `POST /api/sessions`, or by the address in a `user_state` query parameter, in either of
/// its two shapes.
public struct RequestIdentity: Sendable, Equatable {
    public var sessionID: String?
    public var wallet: WalletAddress?

    public init(sessionID: String?, wallet: WalletAddress?) {
        self.sessionID = sessionID
        self.wallet = wallet
    }

    /// - Parameters:
    ///   - header: looks a header up by name, case-insensitively.
    public init(method: String, target: String, header: (String) -> String?, body: [UInt8]) {
        sessionID = header(AomiHeader.sessionID).flatMap { $0.isEmpty ? nil : $0 }
        wallet = Self.wallet(method: method, target: target, body: body)
    }

    /// The longest session id or `client_id` accepted (real ones are 36-byte UUIDs): longer ones
    /// are refused with 400, so that what is kept per session stays small.
    public static let maxIdentifierBytes = 256

    /// Why a request's session id or query `client_id` is refused, if it is.
    public static func oversizedIdentifier(sessionID: String?, target: String) -> String? {
        if let sessionID, sessionID.utf8.count > maxIdentifierBytes {
            return "\(AomiHeader.sessionID) of \(sessionID.utf8.count) bytes is over the limit of \(maxIdentifierBytes)"
        }
        if target.utf8.count > maxIdentifierBytes, let clientID = QueryString.value("client_id", in: target), clientID.utf8.count > maxIdentifierBytes {
            return "client_id of \(clientID.utf8.count) bytes is over the limit of \(maxIdentifierBytes)"
        }
        return nil
    }

    /// The `client_id` a request carries: the query parameter (chat, state, secrets deletion)
    /// or the member of a JSON body (`POST /api/secrets`).
    public static func clientID(target: String, body: [UInt8]) -> String? {
        if let value = QueryString.value("client_id", in: target), !value.isEmpty { return value }
        guard let first = body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first == UInt8(ascii: "{"),
            let json = try? JSONCoding.decode(JSONValue.self, from: body), let value = json["client_id"]?.stringValue, !value.isEmpty
        else { return nil }
        return value
    }

    /// The wallet a request names, if any.
    public static func wallet(method: String, target: String, body: [UInt8]) -> WalletAddress? {
        let parameters = QueryString.parameters(of: target)
        if let key = parameters.first(where: { $0.name == "public_key" }), let wallet = WalletAddress(key.value) {
            return wallet
        }
        if let state = parameters.first(where: { $0.name == "user_state" }), let wallet = WalletAddress.find(inUserStateText: state.value) {
            return wallet
        }
        if method == "POST", QueryString.path(of: target) == AomiPath.sessions, !body.isEmpty,
            let json = try? JSONCoding.decode(JSONValue.self, from: body),
            let wallet = json["public_key"]?.stringValue.flatMap(WalletAddress.init)
        {
            return wallet
        }
        return nil
    }
}
