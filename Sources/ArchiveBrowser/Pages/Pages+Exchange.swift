extension Pages {
    static func exchange(_ model: ExchangeModel) -> HTML {
        let session = HTML.pathSegment(model.sessionID)
        let events: [HTML] = model.events.map { "<tr><td class=\"mono\">\($0.time)</td><td><pre>\($0.data)</pre></td></tr>" }
        let parameters: [HTML] = model.parameters.map {
            "<tr><td class=\"mono\">\($0.first ?? "")</td><td><pre class=\"value\">\(redactionsMarked($0.last ?? ""))</pre></td></tr>"
        }
        let link = { (sequence: Int?, label: String) -> HTML in
            sequence.map { HTML("<a class=\"button\" rel=\"\(label == "← previous" ? "prev" : "next")\" href=\"/sessions/\(session)/exchanges/\($0)\">\(label)</a>") }
                ?? HTML("<span class=\"button disabled\">\(label)</span>")
        }
        return """
            <p class="muted"><a href="/sessions/\(session)">← session \(model.sessionID)</a></p>
            <nav class="actions">\(link(model.previous, "← previous"))\(link(model.next, "next →"))</nav>
            <h1 class="mono">\(model.request.line)</h1>
            <p class="muted">exchange \(model.summary.sequence) · \(model.summary.status) · \(model.summary.durationMilliseconds) ms\
            \(model.summary.streamEnd.map { HTML(" · stream ended: \($0)") } ?? "")</p>
            \(parameters.isEmpty ? "" : HTML("<h2>Query parameters</h2><table class=\"parameters\"><tbody>\(parameters)</tbody></table>"))
            \(pollChanges(model, session: session))
            <h2>Request</h2>
            \(message(model.request))
            <h2>Response</h2>
            \(message(model.response))
            \(events.isEmpty ? "" : HTML("<h2>SSE events (\(model.events.count))</h2><table><tbody>\(events)</tbody></table>"))
            <h2>Copy as curl</h2>
            <pre class="curl">\(redactionsMarked(model.curl))</pre>
            <p class="muted">Redaction tokens stay tokens: the recording never held the secret.</p>
            """
    }

    /// For a poll: what its answer changed since the previous poll.
    private static func pollChanges(_ model: ExchangeModel, session: String) -> HTML {
        guard let changes = model.changesSincePreviousPoll, let previous = model.previousPoll else { return "" }
        let poll = HTML("<a href=\"/sessions/\(session)/exchanges/\(previous)\">poll \(previous)</a>")
        guard !changes.isEmpty else { return "<h2>Changes</h2><p class=\"muted changes\">The same answer as \(poll).</p>" }
        let lines: [HTML] = changes.map { line in
            let kind = line.hasPrefix("+") ? "added" : line.hasPrefix("-") ? "removed" : "changed"
            return "<li class=\"\(kind)\">\(line)</li>"
        }
        return "<h2>Changes since \(poll)</h2><ul class=\"changes mono\">\(lines)</ul>"
    }

    private static func message(_ message: ExchangeModel.Message) -> HTML {
        let fields: [HTML] = message.fields.map { "<tr><td class=\"mono\">\($0.first ?? "")</td><td class=\"mono\">\(redactionsMarked($0.last ?? ""))</td></tr>" }
        return """
            <p class="mono">\(message.line) <span class="muted">\(message.date)</span></p>
            <table><tbody>\(fields)</tbody></table>
            \(message.body.isEmpty ? "" : HTML("<pre>\(redactionsMarked(message.body))</pre>"))
            <p class="muted">record: <span class="mono">\(message.file)</span> at offset \(Int(message.offset))\
            \(message.positionInBundle.map { HTML(", byte \($0) of its bundle") } ?? "")\
            \(message.payloadDigest.map { HTML(" · payload \($0)") } ?? "")</p>
            """
    }

    /// Text with the recorder's redaction tokens (`redacted:` and 16 hex digits) marked.
    static func redactionsMarked(_ text: String) -> HTML {
        let escaped = HTML.escape(text)
        return HTML(raw: escaped.replacing(/redacted:[0-9a-f]{16}/) { "<mark class=\"redacted\">\($0.output)</mark>" })
    }
}
