import AomiAPI

/// A wallet request as the real client takes it from a snapshot's `system_events`
/// (`{"InlineCall": {"type": "wallet_tx_request", "payload": {"args": {"tx_ids": [N], …}}}}`
/// or `wallet_eip712_request` with `pending_eip712_id`), keyed by its ids as the client keys
/// it (`tx-15`, `tx-1-2`, `eip712-3`), and the answer it sends.
public struct PendingWalletRequest: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case transaction = "wallet_tx_request"
        case signature = "wallet_eip712_request"
    }

    public var kind: Kind
    /// The backend's numbers for it: the transactions' `tx_ids`, or the one `pending_eip712_id`.
    public var ids: [Int]
    public var label: String
    public var payload: JSONValue

    /// The request a system event carries; nil for any other event and for a transaction
    /// request without `tx_ids`, which the client drops.
    public init?(event: JSONValue, userState: JSONValue?) {
        guard let call = event["InlineCall"], let kind = call["type"]?.stringValue.flatMap(Kind.init(rawValue:)) else { return nil }
        let payload = call["payload"] ?? .null
        switch kind {
        case .transaction:
            guard case let .array(numbers)? = payload["args"]?["tx_ids"] ?? payload["tx_ids"] else { return nil }
            ids = numbers.compactMap(Self.integer)
        case .signature:
            guard let id = payload["pending_eip712_id"].flatMap(Self.integer) else { return nil }
            ids = [id]
        }
        guard !ids.isEmpty else { return nil }
        self.kind = kind
        self.payload = payload
        // The widget shows what `user_state` says of a pending request (its label); the event's
        // description is the fallback.
        let pendingMember = kind == .transaction ? "pending_txs" : "pending_eip712s"
        let entry = userState?[pendingMember]?[String(ids[0])]
        label = entry?["label"]?.stringValue ?? entry?["description"]?.stringValue ?? payload["description"]?.stringValue ?? ""
    }

    /// The client's key: `tx-` and the transaction ids joined by `-`, or `eip712-` and the id.
    public var key: String {
        (kind == .transaction ? "tx-" : "eip712-") + ids.map(String.init).joined(separator: "-")
    }

    /// How the report names it: `wallet_tx_request 1`.
    public var name: String { "\(kind.rawValue) \(ids.map(String.init).joined(separator: "-"))" }

    /// The JSON text of `POST /api/system`'s `message`, and the proof it carries: a fresh
    /// random transaction hash or signature when signed (they differ on every real run), none
    /// when rejected.
    public func answer(signed: Bool) -> (message: String, proof: String?) {
        var payload: [String: JSONValue] = ["status": .string(signed ? "success" : "failed")]
        let proof = signed ? Self.randomHex(bytes: kind == .transaction ? 32 : 65) : nil
        switch kind {
        case .transaction:
            payload["pending_tx_ids"] = .array(ids.map { .number(Double($0)) })
            payload[signed ? "txHash" : "error"] = .string(proof ?? "User rejected the request")
        case .signature:
            payload["pending_eip712_id"] = .number(Double(ids[0]))
            payload[signed ? "signature" : "error"] = .string(proof ?? "User rejected the request")
        }
        let type = kind == .transaction ? "wallet:tx_complete" : "wallet_eip712_response"
        return (String(decoding: JSONCoding.encode(JSONValue.object(["type": .string(type), "payload": .object(payload)])), as: UTF8.self), proof)
    }

    private static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case let .number(number) where number == number.rounded() && abs(number) < 1e15: Int(number)
        case let .string(text): Int(text)
        default: nil
        }
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
