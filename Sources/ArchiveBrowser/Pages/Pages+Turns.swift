import Conversation

extension Pages {
    /// The summary of a session's turns, then each turn as a card: the user's message, the
    /// tools as spans, the wallet requests as cards, the answer, the timings; what failed in red.
    static func turns(_ turns: [ConversationTurn], summary: ConversationSummary) -> HTML {
        guard !turns.isEmpty else { return "" }
        let cards: [HTML] = turns.map(turn)
        return """
            <h2>Turns</h2>
            <p class="summary">\(TurnsText.summary(summary))</p>
            <div class="turns">\(cards)</div>
            """
    }

    private static func turn(_ turn: ConversationTurn) -> HTML {
        let spans: [HTML] = turn.toolSpans.map { span in
            """
            <li class="tool\(span.end == nil ? " failed" : "")"><span class="mono">\(span.name)</span> \
            <span class="duration">\(span.seconds.map(TurnsText.seconds) ?? "not completed")</span>\
            \(span.result.map { HTML(" → \($0)") } ?? "")</li>
            """
        }
        let toolResults: [HTML] = turn.toolSpans.isEmpty ? turn.tools.map { "<li class=\"tool\">\($0.description)</li>" } : []
        let wallets: [HTML] = turn.walletCards.map(walletCard)
        let answer: [HTML] = turn.agentMessages.map { "<div class=\"message agent\">\($0)</div>" }
        let system: [HTML] = turn.systemMessages.map { "<div class=\"notice\">system: \($0)</div>" }
        let errors: [HTML] =
            turn.errors.map { "<li>\($0)</li>" }
            + (turn.start != nil && turn.end == nil ? ["<li>the turn never ended (still processing, or a wallet request unanswered)</li>"] : [])
        return """
            <section class="turn\(turn.failed ? " failed" : "")" id="turn\(turn.number)">
            <h3>Turn \(turn.number) <span class="muted">\(timing(turn))</span></h3>
            <div class="message user">\(turn.user.message)</div>
            \(spans.isEmpty && toolResults.isEmpty ? "" : HTML("<ul class=\"tools\">\(spans)\(toolResults)</ul>"))
            \(wallets)
            \(system)
            \(answer)
            \(errors.isEmpty ? "" : HTML("<ul class=\"errors\">\(errors)</ul>"))
            </section>
            """
    }

    private static func timing(_ turn: ConversationTurn) -> String {
        guard let timing = turn.timing else { return "" }
        return [
            timing.durationSeconds.map { "took " + TurnsText.seconds($0) }, timing.firstTextSeconds.map { "first text " + TurnsText.seconds($0) },
            "\(timing.polls) poll\(timing.polls == 1 ? "" : "s")",
        ].compactMap { $0 }.joined(separator: " · ")
    }

    private static func walletCard(_ card: WalletCard) -> HTML {
        let request = card.request
        var rows: [(String, HTML)] = []
        if let to = request.to { rows.append(("to", "<span class=\"mono\">\(to)</span>")) }
        if let value = request.value {
            let shown: HTML = card.valueInETH.map { "\($0) ETH <span class=\"muted\">(\(value) wei)</span>" } ?? "\(value)"
            rows.append(("value", shown))
        }
        if let selector = card.selector { rows.append(("data", "<span class=\"mono\" title=\"\(request.data ?? "")\">\(selector)</span> (selector)")) }
        if let chain = request.chainID { rows.append(("chain", "\(chain)")) }
        if let typed = request.typedData { rows.append(("typed data", "<code>\(typed)</code>")) }
        if let wait = card.userSeconds { rows.append(("user took", "\(TurnsText.seconds(wait))")) }
        let table: [HTML] = rows.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }
        return """
            <div class="wallet-card \(card.outcome.rawValue)"><div class="wallet-head"><span class="mono">\(request.kind)</span> \
            <span class="outcome">\(card.outcome.rawValue)</span>\(card.proof.map { HTML(" <span class=\"mono proof\">\($0)</span>") } ?? "")</div>\
            <table>\(table)</table></div>
            """
    }
}
