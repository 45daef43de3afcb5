import ArchiveIndex

extension Pages {
    static func wallets(_ model: WalletsModel) -> HTML {
        let rows: [HTML] = model.wallets.map { wallet in
            """
            <tr><td class="mono"><a href="/wallets/\(HTML.pathSegment(wallet.wallet))" title="\(wallet.wallet)">\(shortAddress(wallet.wallet))</a> \
            <input class="copy mono" readonly value="\(wallet.wallet)" aria-label="full address, to copy" size="42"></td>\
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
            <p class="muted usage"><a href="/usage">What is kept</a>: bytes, records and sessions per wallet or per day.</p>
            \(model.sessionlessExchanges > 0 ? HTML("<p class=\"muted unbound\"><a href=\"/unbound\">\(model.sessionlessExchanges) exchange\(model.sessionlessExchanges == 1 ? "" : "s") without a session</a> (the thread list, secrets, models: what the client sends before a session exists; filed under <code>_unbound/</code>)</p>") : "")
            """
    }

    static func usage(_ model: UsageModel) -> HTML {
        let byWallet = model.by == "wallet"
        let rows: [HTML] = (model.rows + [model.total]).map { row in
            let key: HTML =
                row.key == "total" && row == model.total
                ? "<strong>total</strong>"
                : byWallet && row.key.hasPrefix("0x")
                    ? HTML("<a href=\"/wallets/\(HTML.pathSegment(row.key))\" title=\"\(row.key)\">\(shortAddress(row.key))</a>") : "\(row.key)"
            return """
                <tr><td class="mono">\(key)</td><td class="num">\(row.files)</td>\
                <td class="num">\(ArchiveUsage.readable(bytes: row.bytesLive))</td><td class="num">\(ArchiveUsage.readable(bytes: row.bytesCompacted))</td>\
                <td class="num">\(row.records)</td><td class="num">\(row.sessions)</td><td>\(row.oldest ?? "-")</td><td>\(row.newest ?? "-")</td></tr>
                """
        }
        return """
            <p class="muted"><a href="/">← all wallets</a></p>
            <h1>What is kept</h1>
            <p class="muted">By \(byWallet ? "wallet" : "day"): \
            \(byWallet ? HTML("<a href=\"/usage?by=day\">by day</a>") : HTML("<a href=\"/usage?by=wallet\">by wallet</a>")) · \
            <a href="/usage?by=\(model.by)&amp;format=json">JSON</a>. Bytes are the files on disk (live as recorded, compacted after \
            <code>compact</code>); records, sessions and dates come from the index. <code>aomi-archive du</code> prints the same.</p>
            <table><thead><tr><th>\(byWallet ? "wallet" : "day")</th><th class="num">files</th><th class="num">live</th><th class="num">compacted</th>\
            <th class="num">records</th><th class="num">sessions</th><th>oldest</th><th>newest</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    /// `0xcbd68b38…0922f9f`: the start and end of an address, as wallets show it.
    static func shortAddress(_ address: String) -> String {
        address.count > 20 ? address.prefix(10) + "…" + address.suffix(6) : address
    }

    static func sessionless(_ model: SessionlessModel) -> HTML {
        let rows: [HTML] = model.exchanges.map { exchange in
            """
            <tr><td class="mono">\(exchange.date)</td><td class="mono wrap">\(exchange.method) \(exchange.uri)</td>\
            <td class="mono wrap">\(exchange.file) @\(exchange.offset)</td></tr>
            """
        }
        return """
            <p class="muted"><a href="/">← all wallets</a></p>
            <h1>Exchanges without a session</h1>
            <p class="muted">\(model.count) exchange\(model.count == 1 ? "" : "s") carried no <code>X-Session-Id</code>: the real client lists threads, \
            registers secrets and reads models before a session exists. \(model.count > model.exchanges.count ? "The newest \(model.exchanges.count) are shown." : "")</p>
            <table><thead><tr><th>recorded</th><th>request</th><th>record</th></tr></thead><tbody>\(rows)</tbody></table>
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
            <p><input class="copy mono" readonly value="\(model.wallet)" aria-label="the address, to copy" size="44"></p>
            <form class="filters" action="/search" method="get">
            <input type="hidden" name="wallet" value="\(model.wallet)">
            <label>search this wallet<input type="search" name="q"></label><button type="submit">Search</button>
            </form>
            <h2>Messages per \(model.activityUnit)</h2>
            \(ActivityChart.svg(model.activity, unit: model.activityUnit))
            <h2>Threads, newest first</h2>
            <table><thead><tr><th>thread</th><th class="num">messages</th><th>first activity</th><th>last activity</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }
}
