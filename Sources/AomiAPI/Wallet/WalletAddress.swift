/// An EVM wallet address (`0x` + 40 hex digits), held lower-case so that checksummed and
/// plain spellings compare equal.
public struct WalletAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The lower-case form, as stored and used in folder names.
    public let value: String

    /// Nil unless `text` is `0x` followed by exactly 40 hex digits (any letter case).
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 42, utf8[0] == 0x30, utf8[1] | 0x20 == 0x78 else { return nil }
        for byte in utf8[2...] {
            let lower = byte | 0x20
            guard (0x30...0x39).contains(byte) || (0x61...0x66).contains(lower) else { return nil }
        }
        value = String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    public var description: String { value }

    /// The address in a `user_state`, in either shape the clients send:
    /// `{"address": …}` (the real client) or `{"evm": {"address": …}}` (the documentation).
    public static func find(inUserState state: JSONValue) -> WalletAddress? {
        if let address = state["address"]?.stringValue.flatMap(WalletAddress.init) { return address }
        if let address = state["evm"]?["address"]?.stringValue.flatMap(WalletAddress.init) { return address }
        return nil
    }

    /// The same, from the JSON text of a `user_state` query parameter.
    public static func find(inUserStateText text: String) -> WalletAddress? {
        guard let state = try? JSONCoding.decode(JSONValue.self, from: Array(text.utf8)) else { return nil }
        return find(inUserState: state)
    }
}
