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
            if let unit { return format(now.addingTimeInterval(-amount * unit)) }
        }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) { return format(date) }
        }
        throw .invalidTime(text)
    }

    static func format(_ date: Date) -> String {
        WARCDate(date).description
    }
}
