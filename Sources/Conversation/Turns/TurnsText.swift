import Foundation

/// Turns as text for a terminal (`show`): a summary line, then each turn with its timing, the
/// user's message, tools, wallet cards, the answer, and what failed (marked `!`).
public enum TurnsText {
    public static func summary(_ summary: ConversationSummary) -> String {
        var parts = [count(summary.turns, "turn"), count(summary.tools, "tool"), count(summary.walletRequests, "wallet request")]
        let outcomes = [(summary.signed, "signed"), (summary.rejected, "rejected"), (summary.unanswered, "unanswered")].filter { $0.0 > 0 }
        if !outcomes.isEmpty { parts[2] += " (" + outcomes.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")" }
        if let total = summary.totalSeconds { parts.append("\(seconds(total)) in all") }
        if let slowest = summary.slowestTurn, let time = summary.slowestSeconds { parts.append("slowest turn \(slowest) (\(seconds(time)))") }
        if summary.failedTurns > 0 { parts.append("! \(count(summary.failedTurns, "turn")) failed") }
        return parts.joined(separator: " · ")
    }

    public static func turn(_ turn: ConversationTurn) -> String {
        var lines = ["turn \(turn.number)" + (turn.start.map { "  \($0)" } ?? "") + timing(turn)]
        lines.append("  user: \(turn.user.message)")
        if turn.toolSpans.isEmpty {
            lines += turn.tools.map { "  tool \($0.description)" }
        } else {
            lines += turn.toolSpans.map { span in
                "  tool \(span.name)  " + (span.seconds.map(seconds) ?? "not completed") + (span.result.map { "  → \($0)" } ?? "")
            }
        }
        lines += turn.walletCards.map { "  " + card($0) }
        lines += turn.systemMessages.map { "  system: \($0)" }
        lines += turn.agentMessages.map { "  agent: \($0)" }
        lines += turn.notices.map { "  notice: \($0)" }
        lines += turn.errors.map { "  ! \($0)" }
        if turn.start != nil, turn.end == nil { lines.append("  ! the turn never ended (still processing, or a wallet request unanswered)") }
        return lines.joined(separator: "\n")
    }

    /// `wallet_tx_request to 0x… · 0.00047 ETH (469735000000000 wei) · data 0x38ed1739 · chain 1 → signed 0xab… after 1.2 s`
    public static func card(_ card: WalletCard) -> String {
        var parts = [card.request.kind]
        if let to = card.request.to { parts[0] += " to \(to)" }
        if let value = card.request.value { parts.append(card.valueInETH.map { "\($0) ETH (\(value) wei)" } ?? "value \(value)") }
        if let selector = card.selector { parts.append("data \(selector)") }
        if let chain = card.request.chainID { parts.append("chain \(chain)") }
        var outcome = "→ \(card.outcome.rawValue)"
        if let proof = card.proof { outcome += " \(proof)" }
        if let wait = card.userSeconds { outcome += " after \(seconds(wait))" }
        return parts.joined(separator: " · ") + " " + outcome
    }

    private static func timing(_ turn: ConversationTurn) -> String {
        guard let timing = turn.timing else { return "" }
        var parts: [String] = []
        if let duration = timing.durationSeconds { parts.append("took \(seconds(duration))") }
        if let first = timing.firstTextSeconds { parts.append("first text \(seconds(first))") }
        parts.append(count(timing.polls, "poll"))
        return "  " + parts.joined(separator: " · ")
    }

    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// `0.31 s`, `12.4 s`, `3 min 5 s`.
    public static func seconds(_ value: Double) -> String {
        if value < 10 { return String(format: "%.2f s", value) }
        if value < 600 { return String(format: "%.1f s", value) }
        let whole = Int(value.rounded())
        return "\(whole / 60) min \(whole % 60) s"
    }
}
