import Foundation

/// Counts and durations as a person reads them: `1 session`, `2 sessions`, `50.4 s`.
enum Counted {
    /// `count` and the noun, in the singular for exactly one (`plural` for irregular nouns).
    static func of(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? noun : plural ?? noun + "s")
    }

    /// `340 ms`, `4.2 s`, `50.4 s`, `12 min 5 s`.
    static func duration(_ duration: Duration) -> String {
        seconds(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    static func seconds(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 600 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        return "\(whole / 60) min \(whole % 60) s"
    }
}
