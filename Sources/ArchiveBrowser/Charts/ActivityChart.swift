import ArchiveIndex

/// A wallet's messages per day as an SVG bar chart (the last 180 days with activity).
enum ActivityChart {
    static func svg(_ days: [DailyActivity]) -> HTML {
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
                width="\(max(1, slot - 2), digits: 1)" height="\(barHeight, digits: 1)"><title>\(day.day): \(day.messages) messages</title></rect>
                """
        }
        return """
            <svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="Messages per day">
            \(bars)
            <text x="0" y="\(Int(height) - 6)">\(first.day)</text>
            <text x="\(Int(max(slot * Double(shown.count), 160)))" y="\(Int(height) - 6)" text-anchor="end">\(last.day)</text>
            <text x="0" y="10">\(Int(most)) messages</text>
            </svg>
            """
    }
}
