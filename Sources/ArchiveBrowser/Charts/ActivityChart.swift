import ArchiveIndex

/// A wallet's messages per day (or per hour, for a wallet active a day or less) as an SVG bar
/// chart of the last 180 days or hours with activity.
enum ActivityChart {
    static func svg(_ days: [DailyActivity], unit: String = "day") -> HTML {
        let shown = Array(days.suffix(180))
        guard let first = shown.first, let last = shown.last else { return "" }
        let width = 760.0
        let height = 150.0
        let top = 12.0
        let bottom = 24.0
        let most = Double(shown.map(\.messages).max() ?? 1)
        let slot = min(40, width / Double(shown.count))
        let bars: [HTML] = shown.enumerated().map { index, day in
            let barHeight = max(1, (height - top - bottom) * Double(day.messages) / most)
            return """
                <rect class="bar" x="\(Double(index) * slot + 1, digits: 1)" y="\(height - bottom - barHeight, digits: 1)" \
                width="\(max(1, slot - 2), digits: 1)" height="\(barHeight, digits: 1)"><title>\(label(day.day)): \(day.messages) messages</title></rect>
                """
        }
        return """
            <svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="Messages per \(unit)">
            \(bars)
            <text x="0" y="\(Int(height) - 6)">\(label(first.day))</text>
            \(shown.count > 1 ? HTML("<text x=\"\(Int(max(slot * Double(shown.count), 200)))\" y=\"\(Int(height) - 6)\" text-anchor=\"end\">\(label(last.day))</text>") : "")
            <text x="0" y="10">\(Int(most)) messages</text>
            </svg>
            """
    }

    /// `2026-11-29`, or `2026-11-29 10:00` for an hour bucket (`2026-11-29T10`).
    static func label(_ bucket: String) -> String {
        bucket.count == 13 ? bucket.prefix(10) + " " + bucket.suffix(2) + ":00" : bucket
    }
}
