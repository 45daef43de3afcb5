import Conversation

extension Pages {
    /// A rerun beside its original, turn by turn in two columns: the user's message, each
    /// side's agent text, tools and wallet requests, the verdict and the word diff of what changed.
    static func comparison(_ model: ComparisonModel) -> HTML {
        let comparison = model.comparison
        let original = HTML.pathSegment(comparison.original)
        let rerun = HTML.pathSegment(comparison.rerun ?? "")
        let turns: [HTML] = comparison.turns.map(turn)
        let session: [HTML] = comparison.sessionDifferences.map { "<li>\($0.field): \(diff($0))</li>" }
        return """
            <h1>Rerun of “\(model.originalTitle ?? comparison.original)”: \(verdict(comparison.verdict))</h1>
            <p class="muted">original <a class="mono" href="/sessions/\(original)">\(comparison.original)</a> · \
            rerun <a class="mono" href="/sessions/\(rerun)">\(comparison.rerun ?? "")</a> · \
            \(comparison.turns.filter { $0.verdict == .same }.count) of \(comparison.turns.count) turns the same · \
            <a href="/sessions/\(rerun)/compare?format=json">JSON</a></p>
            \(session.isEmpty ? HTML("") : HTML("<ul>\(session)</ul>"))
            \(turns)
            """
    }

    private static func turn(_ turn: TurnComparison) -> HTML {
        let differences: [HTML] = turn.differences.map { "<li>\($0.field): \(diff($0))</li>" }
        return """
            <div class="compare">
            <h3>Turn \(turn.number): “\(turn.message)” \(verdict(turn.verdict))</h3>
            <div class="side"><span class="muted">original\(timing(turn.originalTiming))</span>
            \(side(turn.original))</div>
            <div class="side"><span class="muted">rerun\(timing(turn.rerunTiming))</span>
            \(side(turn.rerun))\(turn.failure.map { HTML("<p class=\"error\">failed: \($0)</p>") } ?? "")</div>
            \(differences.isEmpty ? HTML("") : HTML("<ul class=\"differences\">\(differences)</ul>"))
            </div>
            """
    }

    private static func side(_ turn: ConversationTurn?) -> HTML {
        guard let turn else { return "<p class=\"muted\">not sent</p>" }
        let tools: [HTML] = turn.tools.map { "<li class=\"mono\">\($0.description)</li>" }
        let requests: [HTML] = turn.walletRequests.map { "<li class=\"mono\">\($0.description)</li>" }
        return """
            \(turn.agentMessages.joined(separator: "\n"))\
            \(tools.isEmpty ? HTML("") : HTML("<ul>\(tools)</ul>"))\
            \(requests.isEmpty ? HTML("") : HTML("<ul>\(requests)</ul>"))
            """
    }

    private static func verdict(_ verdict: TurnVerdict) -> HTML {
        let kind = verdict == .same ? "" : verdict.isStructural ? " structural" : " changed"
        return "<span class=\"verdict\(kind)\">\(verdict.rawValue)</span>"
    }

    /// A difference as a word diff (`<del>`, `<ins>`) for text, else both values.
    private static func diff(_ difference: FieldDifference) -> HTML {
        guard difference.wordDiff != nil else {
            return difference.original.isEmpty ? "\(difference.rerun)" : "<del>\(difference.original)</del> → <ins>\(difference.rerun)</ins>"
        }
        let parts: [HTML] = WordDiff.segments(difference.original, difference.rerun).map { segment in
            switch segment {
            case let .same(text): "\(text) "
            case let .removed(text): "<del>\(text)</del> "
            case let .added(text): "<ins>\(text)</ins> "
            }
        }
        return "\(parts)"
    }

    private static func timing(_ timing: TurnTiming?) -> String {
        guard let timing else { return "" }
        let seconds = timing.durationSeconds.map { String(format: "%.2f s", $0) } ?? "did not end"
        return " · \(seconds), \(timing.polls) polls"
    }
}
