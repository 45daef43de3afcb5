import ArchiveIndex

extension Pages {
    static func session(_ model: SessionModel) -> HTML {
        let transcript = model.transcript
        let id = HTML.pathSegment(transcript.session)
        let exchangeRows: [HTML] = model.exchanges.map { exchange in
            """
            <tr><td class="num"><a href="/sessions/\(id)/exchanges/\(exchange.sequence)">\(exchange.sequence)</a></td>\
            <td>\(exchange.kind.rawValue)</td><td class="mono">\(exchange.method) \(exchange.target.count > 90 ? String(exchange.target.prefix(90)) + "…" : exchange.target)</td>\
            <td class="num">\(exchange.status)</td><td class="num">\(exchange.durationMilliseconds) ms</td>\
            <td class="num">\(exchange.eventTimes.isEmpty ? "" : "\(exchange.eventTimes.count) events")</td></tr>
            """
        }
        return """
            <h1>\(transcript.title ?? "(untitled)")</h1>
            <p class="muted">session <span class="mono">\(transcript.session)</span>\
            \(transcript.wallet.map { HTML(" · wallet <a class=\"mono\" href=\"/wallets/\(HTML.pathSegment($0))\">\($0)</a>") } ?? "")\
            \(transcript.titles.count > 1 ? HTML(" · titles: \(transcript.titles.joined(separator: " → "))") : "")</p>
            \(rerunLinks(transcript))
            <div class="actions">
            <a class="button" href="/sessions/\(id)/export.har" download>Download HAR</a>
            <a class="button" href="/sessions/\(id)/export.warc.gz" download>Download WARC</a>
            <a class="button" href="/sessions/\(id)?format=json">JSON</a>
            </div>
            <pre>\(model.commands.joined(separator: "\n"))</pre>
            \(turns(model.turns, summary: model.summary))
            <h2>Conversation</h2>
            <div class="chat">\(conversation(transcript, sources: model.messageSources))</div>
            <h2>Exchanges on a time line</h2>
            \(SessionTimeline.svg(session: transcript.session, exchanges: model.exchanges, turns: model.turns))
            <table><thead><tr><th class="num">#</th><th>kind</th><th>request</th><th class="num">status</th><th class="num">time</th><th class="num">SSE</th></tr></thead>
            <tbody>\(exchangeRows)</tbody></table>
            """
    }

    /// Where a rerun came from, and the reruns of an original, each with its comparison.
    static func rerunLinks(_ transcript: Transcript) -> HTML {
        var lines: [HTML] = []
        if let original = transcript.rerunOf {
            let link = HTML.pathSegment(original)
            let compare = HTML.pathSegment(transcript.session)
            lines.append(
                "<p class=\"reruns\">rerun of <a class=\"mono\" href=\"/sessions/\(link)\">\(original)</a> · <a href=\"/sessions/\(compare)/compare\">compare turn by turn</a></p>")
        }
        if !transcript.reruns.isEmpty {
            let items: [HTML] = transcript.reruns.map { rerun in
                let link = HTML.pathSegment(rerun)
                return "<li><a class=\"mono\" href=\"/sessions/\(link)\">\(rerun)</a> · <a href=\"/sessions/\(link)/compare\">compare</a></li>"
            }
            lines.append("<p class=\"reruns\">rerun \(transcript.reruns.count) time\(transcript.reruns.count == 1 ? "" : "s"):</p><ul class=\"reruns\">\(items)</ul>")
        }
        return HTML(raw: lines.map(\.description).joined())
    }

    /// Messages as a chat; updates events folded after the message they follow; title changes
    /// and system events (wallet requests, notices) as notices.
    static func conversation(_ transcript: Transcript, sources: [Int: Int] = [:]) -> [HTML] {
        let id = HTML.pathSegment(transcript.session)
        var parts: [HTML] = []
        var events: [Transcript.Entry] = []
        func flushEvents() {
            guard !events.isEmpty else { return }
            let items: [HTML] = events.map { "<li><span class=\"mono\">\($0.time)</span> \($0.label): <code>\($0.text)</code></li>" }
            parts.append("<details class=\"notice\"><summary>\(events.count) update event\(events.count == 1 ? "" : "s")</summary><ul>\(items)</ul></details>")
            events = []
        }
        for entry in transcript.entries {
            if entry.kind == .event {
                events.append(entry)
                continue
            }
            flushEvents()
            switch entry.kind {
            case .message:
                let tool: HTML = entry.toolResult.map { "<details><summary>tool result</summary><pre>\($0)</pre></details>" } ?? ""
                let source: HTML =
                    entry.position.flatMap { sources[$0] }.map {
                        "<a class=\"source\" href=\"/sessions/\(id)/exchanges/\($0)\" title=\"the exchange that first delivered this message\">exchange \($0)</a>"
                    } ?? ""
                parts.append(
                    """
                    <div class="message \(entry.label)" id="m\(entry.position ?? 0)"><span class="meta">\(entry.label) · \(entry.time)\(source)</span>\(entry.text)\(tool)</div>
                    """)
            case .title:
                parts.append("<div class=\"notice\">title → “\(entry.text)” <span class=\"mono\">\(entry.time)</span></div>")
            case .system, .event:
                parts.append("<div class=\"notice\">\(entry.label): <code>\(entry.text)</code> <span class=\"mono\">\(entry.time)</span></div>")
            }
        }
        flushEvents()
        return parts
    }
}
