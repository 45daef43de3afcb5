import Conversation
import WARC

/// A session's exchanges on a time line (SVG): a row per kind (chat, system calls, state
/// polls, updates streams, thread list, other), each exchange a bar from request to answer
/// coloured by status and linked to its page; runs of unchanged polls one band with their
/// count; a stream's SSE events as ticks. Behind them, each turn is a band from the user's
/// message to its end (red when it failed), and a row shows the tools as spans.
enum SessionTimeline {
    static let width = 1000.0
    static let label = 90.0
    static let rowHeight = 26.0

    static func svg(session: String, exchanges: [ExchangeSummary], turns: [ConversationTurn] = []) -> HTML {
        let times = exchanges.flatMap { [$0.requested, $0.answered] }.compactMap { WARCDate(parsing: $0)?.microsecondsSince1970 }
        guard let start = times.min(), let end = times.max() else { return "" }
        let span = Double(max(1, end - start))
        let x = { (time: String) -> Double in
            let micros = WARCDate(parsing: time)?.microsecondsSince1970 ?? start
            return label + (width - label - 10) * Double(micros - start) / span
        }
        let kinds = ExchangeSummary.Kind.allCases.filter { kind in exchanges.contains { $0.kind == kind } }
        let spans = turns.flatMap(\.toolSpans)
        let rows = kinds.count + (spans.isEmpty ? 0 : 1)
        var items: [HTML] = turnBands(turns, rows: rows, x: x, lastTime: exchanges.map(\.answered).max() ?? "")
        if !spans.isEmpty {
            let y = 8 + Double(kinds.count) * rowHeight
            items.append("<text x=\"4\" y=\"\(y + 14, digits: 1)\">tools</text>")
            for span in spans {
                let left = x(span.start)
                let right = max(left + 2, x(span.end ?? span.start))
                let title = "\(span.name): " + (span.seconds.map { TurnsText.seconds($0) } ?? "not completed")
                items.append(
                    "<rect class=\"span\" x=\"\(left, digits: 1)\" y=\"\(y + 6, digits: 1)\" width=\"\(right - left, digits: 1)\" height=\"12\"><title>\(title)</title></rect>")
            }
        }
        for (row, kind) in kinds.enumerated() {
            let y = 8 + Double(row) * rowHeight
            items.append("<text x=\"4\" y=\"\(y + 14, digits: 1)\">\(kind.rawValue)</text>")
            for group in groups(exchanges.filter { $0.kind == kind }) {
                items.append(bar(group, session: session, y: y, x: x))
            }
        }
        let height = 16 + Double(rows) * rowHeight + 14
        let seconds = span / 1_000_000
        return """
            <svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="Time line of the session's exchanges">
            \(items)
            <text x="\(Int(label))" y="\(Int(height) - 4)">0 s</text>
            <text x="\(Int(width) - 10)" y="\(Int(height) - 4)" text-anchor="end">\(seconds, digits: 1) s</text>
            </svg>
            """
    }

    /// A band per turn across every row, from its message to its end (or the last answer).
    private static func turnBands(_ turns: [ConversationTurn], rows: Int, x: (String) -> Double, lastTime: String) -> [HTML] {
        turns.compactMap { turn in
            guard let start = turn.start else { return nil }
            let left = x(start)
            let right = max(left + 2, x(turn.end ?? lastTime))
            let height = Double(rows) * rowHeight + 4
            return """
                <a href="#turn\(turn.number)"><rect class="turnband\(turn.failed ? " failed" : "")" x="\(left, digits: 1)" y="4" width="\(right - left, digits: 1)" \
                height="\(height, digits: 1)"><title>turn \(turn.number): \(turn.user.message)</title></rect>\
                <text x="\(left + 2, digits: 1)" y="\(height + 14, digits: 1)">\(turn.number)</text></a>
                """
        }
    }

    /// Exchanges in order, consecutive unchanged state polls (same status and payload digest) together.
    static func groups(_ exchanges: [ExchangeSummary]) -> [[ExchangeSummary]] {
        var groups: [[ExchangeSummary]] = []
        for exchange in exchanges {
            if exchange.kind == .state, let previous = groups.last?.last, previous.kind == .state, previous.status == exchange.status,
                previous.payloadDigest != nil, previous.payloadDigest == exchange.payloadDigest
            {
                groups[groups.count - 1].append(exchange)
            } else {
                groups.append([exchange])
            }
        }
        return groups
    }

    private static func bar(_ group: [ExchangeSummary], session: String, y: Double, x: (String) -> Double) -> HTML {
        let first = group[0]
        let left = x(first.requested)
        let right = max(left + 2, x(group[group.count - 1].answered))
        let href = "/sessions/\(HTML.pathSegment(session))/exchanges/\(first.sequence)"
        let statusClass = "s\(first.status / 100 <= 5 && first.status >= 200 ? first.status / 100 : 0)"
        if group.count > 1 {
            return """
                <a href="\(href)"><rect class="band" x="\(left, digits: 1)" y="\(y + 4, digits: 1)" width="\(right - left, digits: 1)" height="16"><title>\(group.count) unchanged polls (\(first.status)) from exchange \(first.sequence)</title></rect>\
                <text x="\(left + 2, digits: 1)" y="\(y + 16, digits: 1)">×\(group.count)</text></a>
                """
        }
        let ticks: [HTML] = first.eventTimes.map { time in
            let tick = x(time)
            return "<line class=\"tick\" x1=\"\(tick, digits: 1)\" x2=\"\(tick, digits: 1)\" y1=\"\(y + 2, digits: 1)\" y2=\"\(y + 22, digits: 1)\"></line>"
        }
        let title = "\(first.method) \(first.target) → \(first.status), \(first.durationMilliseconds) ms" + (first.eventTimes.isEmpty ? "" : ", \(first.eventTimes.count) events")
        return """
            <a href="\(href)"><rect class="\(statusClass)" x="\(left, digits: 1)" y="\(y + 6, digits: 1)" width="\(right - left, digits: 1)" height="12" opacity="0.8"><title>\(title)</title></rect>\(ticks)</a>
            """
    }
}
