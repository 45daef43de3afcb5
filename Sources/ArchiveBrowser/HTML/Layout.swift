/// The frame of every page: title, stylesheet, the header with the search box, the footer
/// saying when the index was last brought up to date. No script anywhere.
enum Layout {
    /// `indexed`: when the index was last brought up to date (nil: never); `showsIndex` false
    /// for pages shown before access is granted, which say nothing about the index.
    static func page(title: String, query: String = "", indexed: String?, showsIndex: Bool = true, body: HTML) -> HTML {
        let freshness: HTML = showsIndex ? "index updated \(indexed ?? "never") · " : ""
        return
            """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · aomi-archive</title>
            <link rel="stylesheet" href="/static/style.css">
            <link rel="icon" href="/static/icon.svg" type="image/svg+xml">
            </head>
            <body>
            <header>
            <a class="home" href="/">aomi-archive</a>
            <form action="/search" method="get" role="search">
            <input type="search" name="q" value="\(query)" placeholder="Search chats: words, &quot;a phrase&quot;, -exclude, from:agent, after:7d" aria-label="Search">
            <button type="submit">Search</button>
            </form>
            </header>
            <main>
            \(body)
            </main>
            <footer>\(freshness)pages are read-only; every byte shown is recorded traffic</footer>
            </body>
            </html>
            """
    }

    /// The page icon, served at `/static/icon.svg` and `/favicon.ico`.
    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2f5bd3"/>\
        <path d="M8 22V10h4l4 7 4-7h4v12" stroke="#fff" stroke-width="3" fill="none"/></svg>
        """

    /// The stylesheet, served at `/static/style.css` (the pages' CSP allows no inline style).
    static let stylesheet = """
        :root { --ink: #1d2330; --muted: #667085; --line: #e4e7ec; --user: #e8f0fe; --agent: #f4f4f5; --system: #fff7e6; --accent: #2f5bd3; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fbfbfd; }
        header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1.2rem; background: #fff; border-bottom: 1px solid var(--line); }
        header .home { font-weight: 700; color: var(--ink); text-decoration: none; }
        header form { flex: 1; display: flex; gap: .4rem; }
        header input { flex: 1; padding: .35rem .6rem; border: 1px solid var(--line); border-radius: 6px; }
        main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
        footer { color: var(--muted); font-size: 12px; text-align: center; padding: 1rem; }
        a { color: var(--accent); }
        h1 { font-size: 1.35rem; margin: .4rem 0 .8rem; word-break: break-all; }
        h2 { font-size: 1.05rem; margin: 1.6rem 0 .6rem; }
        table { width: 100%; border-collapse: collapse; background: #fff; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 12px; color: var(--muted); font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .muted { color: var(--muted); font-size: 13px; }
        .mono, code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 13px; }
        pre { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
        .chat { display: flex; flex-direction: column; gap: .5rem; }
        .message { max-width: 80%; padding: .5rem .75rem; border-radius: 10px; background: var(--agent); white-space: pre-wrap; word-break: break-word; }
        .message.user { align-self: flex-end; background: var(--user); }
        .message.system { align-self: center; background: var(--system); max-width: 90%; }
        .message .meta { display: block; font-size: 11px; color: var(--muted); }
        .notice { align-self: center; font-size: 13px; color: var(--muted); }
        details { font-size: 13px; }
        mark { background: #ffe58f; padding: 0 1px; }
        mark.redacted { background: #fde2e2; }
        .error { background: #fff1f0; border: 1px solid #ffccc7; padding: .6rem .8rem; border-radius: 6px; }
        .actions { display: flex; flex-wrap: wrap; gap: .6rem; margin: .4rem 0; }
        .button { display: inline-block; padding: .3rem .7rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; text-decoration: none; }
        svg { max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
        svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
        .s2 { fill: #52c41a; } .s3 { fill: #1677ff; } .s4 { fill: #fa8c16; } .s5 { fill: #f5222d; } .s0 { fill: #8c8c8c; }
        .band { fill: #d6e4ff; } .tick { stroke: #1d2330; stroke-width: 1; } .bar { fill: var(--accent); }
        form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: 1rem; }
        form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
        .pages { display: flex; gap: 1rem; margin-top: 1rem; }
        .compare { display: grid; grid-template-columns: 1fr 1fr; gap: .8rem; margin-bottom: 1.2rem; }
        .compare h3 { grid-column: 1 / -1; font-size: 14px; margin: .6rem 0 0; }
        .compare .side { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; white-space: pre-wrap; word-break: break-word; }
        .verdict { display: inline-block; padding: 0 .4rem; border-radius: 4px; font-size: 12px; background: #e6f4ea; }
        .verdict.changed { background: #fff7e6; } .verdict.structural { background: #fff1f0; }
        ins { background: #d9f7be; text-decoration: none; } del { background: #ffd8d8; }
        .wrap, h1.mono, p.mono, td.mono { overflow-wrap: anywhere; word-break: break-all; }
        .button.disabled { color: var(--muted); }
        pre.value { margin: 0; padding: .2rem .4rem; border: 0; }
        ul.changes { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1.5rem; overflow-wrap: anywhere; }
        ul.changes .added { color: #237804; } ul.changes .removed { color: #a8071a; }
        .message:target { outline: 3px solid #faad14; background: #fffbe6; }
        .message a.source { font-size: 11px; margin-left: .4rem; }
        .summary { font-weight: 600; }
        .turns { display: flex; flex-direction: column; gap: .8rem; }
        .turn { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .4rem .9rem .8rem; display: flex; flex-direction: column; gap: .4rem; }
        .turn h3 { font-size: 14px; margin: .3rem 0; }
        .turn.failed { border-color: #ff4d4f; }
        ul.tools { margin: 0; padding-left: 1.2rem; font-size: 13px; } ul.tools .duration { color: var(--muted); }
        .failed, ul.errors, li.failed { color: #cf1322; } ul.errors { margin: 0; padding-left: 1.2rem; font-weight: 600; }
        .wallet-card { border: 1px solid var(--line); border-left: 4px solid #8c8c8c; border-radius: 6px; padding: .3rem .6rem; font-size: 13px; max-width: 100%; overflow-wrap: anywhere; }
        .wallet-card.signed { border-left-color: #52c41a; } .wallet-card.rejected { border-left-color: #fa8c16; } .wallet-card.unanswered { border-left-color: #f5222d; }
        .wallet-card table { width: auto; } .wallet-card th { padding-right: 1rem; } .outcome { font-weight: 600; }
        .turnband { fill: #f0f5ff; stroke: #adc6ff; } .turnband.failed { fill: #fff1f0; stroke: #ff4d4f; } .span { fill: #13c2c2; }
        input.copy { border: 1px solid var(--line); border-radius: 4px; padding: 0 .3rem; color: var(--muted); background: #fafafa; font-size: 11px; }
        """
}
