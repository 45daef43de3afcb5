import AomiAPI

/// What a turn asks the user's wallet for: a transaction to send, or typed data (EIP-712) to
/// sign. The backend numbers each request and keeps it pending until the client answers.
enum WalletAsk: Sendable {
    case transaction(to: String, value: String, data: String, chainID: Int, label: String)
    case signature(typedData: JSONValue, description: String)

    /// The system event that carries the request to the client, as the real client reads it.
    func systemEvent(id: Int) -> JSONValue {
        switch self {
        case let .transaction(to, value, data, chainID, _):
            .object([
                "InlineCall": .object([
                    "type": .string("wallet_tx_request"),
                    "payload": .object([
                        "args": .object([
                            "tx_ids": .array([.number(Double(id))]), "to": .string(to), "value": .string(value), "data": .string(data),
                            "chain_id": .number(Double(chainID)), "aa_preference": .string("auto"),
                        ])
                    ]),
                ])
            ])
        case let .signature(typedData, description):
            .object([
                "InlineCall": .object([
                    "type": .string("wallet_eip712_request"),
                    "payload": .object([
                        "pending_eip712_id": .number(Double(id)), "typed_data": typedData, "description": .string(description),
                    ]),
                ])
            ])
        }
    }

    /// The entry of `user_state.pending_txs` or `pending_eip712s` while it is pending.
    var pendingEntry: JSONValue {
        switch self {
        case let .transaction(to, value, data, chainID, label):
            .object(["to": .string(to), "value": .string(value), "data": .string(data), "chain_id": .number(Double(chainID)), "label": .string(label)])
        case let .signature(typedData, description):
            .object(["typed_data": typedData, "description": .string(description)])
        }
    }

    var isTransaction: Bool {
        if case .transaction = self { return true }
        return false
    }

    var label: String {
        switch self {
        case let .transaction(_, _, _, _, label): label
        case let .signature(_, description): description
        }
    }
}
