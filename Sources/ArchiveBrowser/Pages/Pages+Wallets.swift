import ArchiveIndex

extension Pages {
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
            \(model.wallets.isEmpty ? HTML("<p class=\"muted\">Nothing indexed yet: record some traffic, then it appears here.</p>") : "")
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
}
