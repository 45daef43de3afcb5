extension Pages {
    static func exchange(_ model: ExchangeModel) -> HTML {
        let session = HTML.pathSegment(model.sessionID)
        let events: [HTML] = model.events.map { "<tr><td class=\"mono\">\($0.time)</td><td><pre>\($0.data)</pre></td></tr>" }
        return """
            <p class="muted"><a href="/sessions/\(session)">← session \(model.sessionID)</a></p>
            <h1 class="mono">\(model.request.line)</h1>
            <p class="muted">exchange \(model.summary.sequence) · \(model.summary.status) · \(model.summary.durationMilliseconds) ms\
            \(model.summary.streamEnd.map { HTML(" · stream ended: \($0)") } ?? "")</p>
            <h2>Request</h2>
            \(message(model.request))
            <h2>Response</h2>
            \(message(model.response))
            \(events.isEmpty ? "" : HTML("<h2>SSE events (\(model.events.count))</h2><table><tbody>\(events)</tbody></table>"))
            """
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
