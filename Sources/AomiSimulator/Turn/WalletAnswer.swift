import AomiAPI

/// The client's answer to a wallet request, sent as the JSON text of `POST /api/system`'s
/// `message`: `{"type": "wallet:tx_complete", "payload": {"txHash", "status", "pending_tx_ids": [N]}}`
/// or `{"type": "wallet_eip712_response", "payload": {"pending_eip712_id": N, "signature", "status"}}`.
struct WalletAnswer: Sendable {
    var isTransaction: Bool
    var requestIDs: [Int]
    var succeeded: Bool
    /// The transaction hash or the signature.
    var proof: String?

    static let transactionType = "wallet:tx_complete"
    static let signatureType = "wallet_eip712_response"

    /// nil when `message` is not a wallet answer (a plain system message); 400 when it is one
    /// without the ids it answers.
    init?(_ message: String) throws(APIError) {
        guard message.hasPrefix("{"), let json = try? JSONCoding.decode(JSONValue.self, from: Array(message.utf8)),
            let type = json["type"]?.stringValue, type == Self.transactionType || type == Self.signatureType
        else { return nil }
        let payload = json["payload"] ?? .null
        isTransaction = type == Self.transactionType
        if isTransaction {
            guard case let .array(ids)? = payload["pending_tx_ids"] else { throw APIError(status: 400, "\(type) needs payload.pending_tx_ids") }
            requestIDs = ids.compactMap(Self.integer)
            proof = payload["txHash"]?.stringValue
        } else {
            guard let id = payload["pending_eip712_id"].flatMap(Self.integer) else { throw APIError(status: 400, "\(type) needs payload.pending_eip712_id") }
            requestIDs = [id]
            proof = payload["signature"]?.stringValue
        }
        succeeded = (payload["status"]?.stringValue ?? "success") == "success" && (isTransaction || proof != nil)
    }

    private static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case let .number(number) where number == number.rounded(): Int(number)
        case let .string(text): Int(text)
        default: nil
        }
    }
}
