import ArchiveIndex

/// The browser's pages as HTML, from their models. Every recorded value goes through `HTML`
/// interpolation, so it is escaped.
enum Pages {
    static func wallets(_ model: WalletsModel) -> HTML {
        let rows: [HTML] = model.wallets.map { wallet in
            """
            <tr><td class="mono"><a href="/wallets/\(HTML.pathSegment(wallet.wallet))">\(wallet.wallet)</a></td>\
            <td class="num">\(wallet.threads)</td><td class="num">\(wallet.messages)</td>\
            <td>\(wallet.firstActivity ?? "-")</td><td>\(wallet.lastActivity ?? "-")</td></tr>
            """
        }
        return """
            <h1>Wallets</h1>
            \(model.wallets.isEmpty ? "<p class=\"muted\">Nothing indexed yet: record some traffic, then it appears here.</p>" : "")
            <table><thead><tr><th>wallet</th><th class="num">threads</th><th class="num">messages</th><th>first activity</th><th>last activity</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <div class="pages">\(model.page > 1 ? HTML("<a href=\"/?page=\(model.page - 1)\">← previous</a>") : "")\
            \(model.hasMore ? HTML("<a href=\"/?page=\(model.page + 1)\">next →</a>") : "")</div>
            """
    }

    static func wallet(_ model: WalletModel) -> HTML {
        let rows: [HTML] = model.threads.map { thread in
            let earlier = (model.titles[thread.session] ?? []).filter { $0 != thread.title }
            return """
                <tr><td><a href="/sessions/\(HTML.pathSegment(thread.session))">\(thread.title ?? "(untitled)")</a>\
                \(earlier.isEmpty ? "" : HTML("<div class=\"muted\">earlier: \(earlier.joined(separator: " · "))</div>"))\
                <div class="muted mono">\(thread.session)</div></td>\
                <td class="num">\(thread.messages)</td><td>\(thread.firstActivity ?? "-")</td><td>\(thread.lastActivity ?? "-")</td></tr>
                """
        }
        return """
            <h1>Wallet <span class="mono">\(model.wallet)</span></h1>
            <form class="filters" action="/search" method="get">
            <input type="hidden" name="wallet" value="\(model.wallet)">
            <label>search this wallet<input type="search" name="q"></label><button type="submit">Search</button>
            </form>
            <h2>Messages per day</h2>
            \(ActivityChart.svg(model.activity))
            <h2>Threads, newest first</h2>
            <table><thead><tr><th>thread</th><th class="num">messages</th><th>first activity</th><th>last activity</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }

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
            <div class="actions">
            <a class="button" href="/sessions/\(id)/export.har" download>Download HAR</a>
            <a class="button" href="/sessions/\(id)/export.warc.gz" download>Download WARC</a>
            <a class="button" href="/sessions/\(id)?format=json">JSON</a>
            </div>
            <pre>\(model.commands.joined(separator: "\n"))</pre>
            <h2>Conversation</h2>
            <div class="chat">\(conversation(transcript))</div>
            <h2>Exchanges on a time line</h2>
            \(SessionTimeline.svg(session: transcript.session, exchanges: model.exchanges))
            <table><thead><tr><th class="num">#</th><th>kind</th><th>request</th><th class="num">status</th><th class="num">time</th><th class="num">SSE</th></tr></thead>
            <tbody>\(exchangeRows)</tbody></table>
            """
    }

    /// Messages as a chat; updates events folded after the message they follow; title changes
    /// and system events (wallet requests, notices) as notices.
    static func conversation(_ transcript: Transcript) -> [HTML] {
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
                parts.append(
                    """
                    <div class="message \(entry.label)" id="m\(entry.position ?? 0)"><span class="meta">\(entry.label) · \(entry.time)</span>\(entry.text)\(tool)</div>
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
            \(message.payloadDigest.map { HTML(" · payload \($0)") } ?? "")</p>
            """
    }

    /// Text with the recorder's redaction tokens (`redacted:` and 16 hex digits) marked.
    static func redactionsMarked(_ text: String) -> HTML {
        let escaped = HTML.escape(text)
        return HTML(raw: escaped.replacing(/redacted:[0-9a-f]{16}/) { "<mark class=\"redacted\">\($0.output)</mark>" })
    }

    /// Markers the search excerpts put around matched words, made into `<mark>` once escaped.
    static let highlight = (open: "\u{E000}", close: "\u{E001}")

    static func search(_ model: SearchModel, wallet: String?, sender: String?, since: String?, until: String?) -> HTML {
        let senders: [HTML] = ["", "user", "agent", "system"].map { value in
            "<option value=\"\(value)\"\(HTML(raw: sender == value ? " selected" : ""))>\(value.isEmpty ? "anyone" : value)</option>"
        }
        let hits: [HTML] = model.hits.map { hit in
            let excerpt = HTML.escape(hit.snippet).replacingOccurrences(of: highlight.open, with: "<mark>").replacingOccurrences(of: highlight.close, with: "</mark>")
            return """
                <tr><td><a href="/sessions/\(HTML.pathSegment(hit.session))#m\(hit.position)">\(hit.title ?? "(untitled)")</a>\
                <div class="muted">\(hit.sender) · \(hit.time)\(hit.wallet.map { HTML(" · <span class=\"mono\">\($0)</span>") } ?? "")</div>\
                <div>\(HTML(raw: excerpt))</div></td></tr>
                """
        }
        var pageLinks: [HTML] = []
        let base =
            "/search?q=\(HTML.pathSegment(model.query))"
            + [("wallet", wallet), ("sender", sender), ("since", since), ("until", until)]
            .compactMap { name, value in value.flatMap { $0.isEmpty ? nil : "&\(name)=\(HTML.pathSegment($0))" } }.joined()
        if model.page > 1 { pageLinks.append("<a href=\"\(base)&page=\(model.page - 1)\">← previous</a>") }
        if model.hasMore { pageLinks.append("<a href=\"\(base)&page=\(model.page + 1)\">next →</a>") }
        return """
            <h1>Search</h1>
            <form class="filters" action="/search" method="get">
            <label>query<input type="search" name="q" value="\(model.query)" size="40"></label>
            <label>wallet<input name="wallet" value="\(wallet ?? "")" size="44"></label>
            <label>from<select name="sender">\(senders)</select></label>
            <label>since<input name="since" value="\(since ?? "")" placeholder="7d" size="10"></label>
            <label>until<input name="until" value="\(until ?? "")" size="10"></label>
            <button type="submit">Search</button>
            </form>
            \(model.error.map { HTML("<p class=\"error\">\($0)</p>") } ?? "")
            \(model.understood.map { HTML("<p class=\"muted\">searching for: <code>\($0)</code> · page \(model.page)</p>") } ?? "")
            \(model.error == nil && model.hits.isEmpty && !model.query.isEmpty ? "<p>No message matches.</p>" : "")
            <table><tbody>\(hits)</tbody></table>
            <div class="pages">\(pageLinks)</div>
            """
    }

    static func problem(_ message: String) -> HTML {
        "<h1>Not here</h1><p class=\"error\">\(message)</p><p><a href=\"/\">All wallets</a></p>"
    }
}
