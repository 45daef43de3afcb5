import AomiAPI

/// Canonical text of JSON documents (sorted keys, no insignificant space, wallet addresses in
/// lower case) so that bodies and JSON-valued parameters compare by meaning, not by spelling.
enum CanonicalJSON {
    /// The canonical form of a parameter value: JSON objects and arrays canonical (without the
    /// members at `removing`), a wallet address lower-case, anything else as sent.
    static func canonical(_ text: String, removing paths: [[String]] = []) -> String {
        if let address = WalletAddress(text) { return address.value }
        guard let first = text.utf8.first(where: { $0 != 0x20 }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return text }
        return canonical(Array(text.utf8), removing: paths)
    }

    /// The canonical JSON of a body (without the members at `removing`, and with the strings at
    /// `masking` replaced by `mask`), or its bytes as text when it is not JSON.
    static func canonical(_ body: [UInt8], removing paths: [[String]] = [], masking masked: [[String]] = [], with mask: String = "") -> String {
        guard !body.isEmpty else { return "" }
        guard var value = try? JSONCoding.decode(JSONValue.self, from: body) else { return String(decoding: body, as: UTF8.self) }
        if !paths.isEmpty { value = value.removing(paths) }
        if !masked.isEmpty { value = value.replacingStrings(at: masked) { _ in mask } }
        return String(decoding: JSONCoding.encode(normalized(value)), as: UTF8.self)
    }

    static func value(_ text: String) -> JSONValue? {
        guard let first = text.utf8.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return nil }
        return try? JSONCoding.decode(JSONValue.self, from: Array(text.utf8))
    }

    /// Wallet addresses in lower case, everywhere in the document.
    private static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .string(text): WalletAddress(text).map { .string($0.value) } ?? value
        case let .array(items): .array(items.map(normalized))
        case let .object(members): .object(members.mapValues(normalized))
        default: value
        }
    }
}
