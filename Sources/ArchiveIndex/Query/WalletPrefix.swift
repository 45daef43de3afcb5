/// The start of a wallet address as people copy it from pages that cut addresses short
/// (`0xcbd68b38`): `0x` and at least 6 hex digits, lower-cased. A whole address is its own
/// prefix.
public struct WalletPrefix: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// The fewest hex digits after `0x` that name a wallet's start.
    public static let shortest = 6

    /// Nil unless `text` is `0x` and 6 to 40 hex digits.
    public init?(_ text: some StringProtocol) {
        let lower = text.lowercased()
        guard lower.hasPrefix("0x") else { return nil }
        let digits = lower.dropFirst(2)
        guard digits.count >= Self.shortest, digits.count <= 40, digits.allSatisfy(\.isHexDigit) else { return nil }
        value = lower
    }

    /// Whether it is a whole address (40 digits).
    public var isWholeAddress: Bool { value.count == 42 }

    public var description: String { value }
}
