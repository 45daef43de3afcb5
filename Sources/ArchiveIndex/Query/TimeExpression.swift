import Foundation
import WARC

/// Times as users type them: ISO 8601 (`2026-11-26`, `2026-11-26T10:00:00Z`) or relative to
/// now (`30m`, `24h`, `7d`, `2w`), turned into the `WARC-Date` form the index compares.
public enum TimeExpression {
    public static func parse(_ text: String, now: Date = Date()) throws(IndexError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let last = trimmed.last, let amount = Double(trimmed.dropLast()), amount >= 0 {
            let unit: Double? =
                switch last {
                case "s": 1
                case "m": 60
                case "h": 3600
                case "d": 86400
                case "w": 604_800
                default: nil
                }
            if let unit { return try format(now.addingTimeInterval(-amount * unit), typed: text) }
        }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) { return try format(date, typed: text) }
        }
        throw .invalidTime(text)
    }

    /// The first and last instants a time may name: years 1 to 9999, what ISO 8601 and a
    /// `WARC-Date` write with four digits.
    static let earliest = Date(timeIntervalSince1970: -62_135_596_800)
    static let latest = Date(timeIntervalSince1970: 253_402_300_799)

    private static func format(_ date: Date, typed text: String) throws(IndexError) -> String {
        guard date.timeIntervalSince1970.isFinite, date >= earliest, date <= latest else { throw .timeOutOfRange(text) }
        return format(date)
    }

    static func format(_ date: Date) -> String {
        WARCDate(date).description
    }
}
