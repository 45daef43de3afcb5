import ArchiveIndex

extension Pages {
    /// Markers the search excerpts put around matched words, made into `<mark>` once escaped.
    static let highlight = (open: "\u{E000}", close: "\u{E001}")

    /// ` · 23 messages in 7 sessions`, when counted.
    private static func totalsNote(_ model: SearchModel) -> HTML {
        model.totals.map { HTML(" · <span class=\"totals\">\($0.summary)</span>") } ?? ""
    }

    /// What an empty page says: no match at all, or a page past the last one.
    private static func emptyNote(_ model: SearchModel, base: String) -> HTML {
        guard model.error == nil, model.hits.isEmpty, !model.query.isEmpty || model.understood != nil else { return "" }
        if model.page > 1, let totals = model.totals, totals.messages > 0 {
            return """
                <p class="note">Page \(model.page) is past the last page of results (page \(model.lastPage)). \
                <a href="\(base)&page=\(model.lastPage)">Go to page \(model.lastPage)</a> · <a href="\(base)">first page</a></p>
                """
        }
        return "<p class=\"note\">No message matches.</p>"
    }

    static func search(_ model: SearchModel, wallet: String?, sender: String?, since: String?, until: String?) -> HTML {
        let senders: [HTML] = ["", "user", "agent", "system"].map { value in
            "<option value=\"\(value)\"\(HTML(raw: sender == value ? " selected" : ""))>\(value.isEmpty ? "anyone" : value)</option>"
        }
        let hits: [HTML] = model.hits.map { hit in
            let excerpt = HTML.escape(hit.snippet).replacingOccurrences(of: highlight.open, with: "<mark>").replacingOccurrences(of: highlight.close, with: "</mark>")
            return """
                <tr><td><a href="/sessions/\(HTML.pathSegment(hit.session))#m\(hit.position)">\(hit.title ?? "(untitled)")</a>\
                <div class="muted">\(hit.sender) · \(hit.time)\(hit.wallet.map { HTML(" · <span class=\"mono\">\($0)</span>") } ?? "")\
                \(hit.copies > 1 ? HTML(" · <span class=\"copies\">×\(hit.copies) in this session</span>") : "")</div>\
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
            \(model.understood.map { HTML("<p class=\"muted\">searching for: <code>\($0)</code>\(totalsNote(model)) · page \(model.page)</p>") } ?? "")
            \(emptyNote(model, base: base))
            <table><tbody>\(hits)</tbody></table>
            <div class="pages">\(pageLinks)</div>
            """
    }
}
