import AomiAPI

/// A wallet request waiting for the user, as the real client finds it in a snapshot's
/// `user_state` (`pending_txs`, `pending_eip712s`, keyed by number), and the answer it sends.
struct PendingWalletRequest: Sendable {
    enum Kind: String, Sendable {
        case transaction = "wallet_tx_request"
        case signature = "wallet_eip712_request"
    }

    var kind: Kind
    var id: Int
    var label: String

    /// The lowest-numbered pending request, transactions first.
    static func first(in snapshot: SessionSnapshot) -> PendingWalletRequest? {
        for (kind, member) in [(Kind.transaction, "pending_txs"), (.signature, "pending_eip712s")] {
            guard let pending = snapshot.userState?[member]?.objectValue else { continue }
            if let (key, entry) = pending.compactMap({ key, entry in Int(key).map { ($0, entry) } }).min(by: { $0.0 < $1.0 }) {
                let label = entry["label"]?.stringValue ?? entry["description"]?.stringValue ?? ""
                return PendingWalletRequest(kind: kind, id: key, label: label)
            }
        }
        return nil
    }

    /// The JSON text of `POST /api/system`'s `message`, and the proof it carries: a fresh
    /// random transaction hash or signature when signed (they differ on every real run), none
    /// when rejected.
    func answer(signed: Bool) -> (message: String, proof: String?) {
        var payload: [String: JSONValue] = ["status": .string(signed ? "success" : "failed")]
        let proof = signed ? Self.randomHex(bytes: kind == .transaction ? 32 : 65) : nil
        switch kind {
        case .transaction:
            payload["pending_tx_ids"] = .array([.number(Double(id))])
            payload[signed ? "txHash" : "error"] = .string(proof ?? "User rejected the request")
        case .signature:
            payload["pending_eip712_id"] = .number(Double(id))
            payload[signed ? "signature" : "error"] = .string(proof ?? "User rejected the request")
        }
        let type = kind == .transaction ? "wallet:tx_complete" : "wallet_eip712_response"
        return (String(decoding: JSONCoding.encode(JSONValue.object(["type": .string(type), "payload": .object(payload)])), as: UTF8.self), proof)
    }

    private static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return "0x"
            + (0..<bytes).map { _ in
                let byte = UInt8.random(in: 0...255, using: &generator)
                return String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
            }.joined()
    }
}
