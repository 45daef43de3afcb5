import Conversation
import Foundation

extension RerunReport {
    /// The report for a terminal: per session and turn, word diffs of changed text, timings,
    /// and the last table.
    public var text: String {
        var lines: [String] = []
        for session in sessions {
            lines.append("session \(session.original)\(session.wallet.map { " (wallet \($0))" } ?? ""): \(session.turns) turns, \(describe(session))")
            for (attempt, rerun) in session.reruns.enumerated() {
                if repeats > 1 { lines.append("  rerun \(attempt + 1) of \(repeats): \(rerun.rerun ?? "not started") \(rerun.verdict.rawValue)") }
                let indent = repeats > 1 ? "    " : "  "
                if repeats == 1, let id = rerun.rerun { lines.append("\(indent)rerun session \(id)") }
                for note in rerun.notes { lines.append("\(indent)note: \(note)") }
                for turn in rerun.turns { lines += Self.lines(turn, indent: indent) }
                for difference in rerun.sessionDifferences { lines += Self.lines(difference, indent: indent) }
            }
        }
        lines.append("")
        lines += table
        return lines.joined(separator: "\n")
    }

    private func describe(_ session: SessionResult) -> String {
        guard repeats > 1 else { return session.verdict.rawValue }
        let reproduced = session.reproductions.sorted { $0.key < $1.key }.map { "\($0.key) in \($0.value) of \(session.reruns.count)" }
        return reproduced.isEmpty ? "same in all \(session.reruns.count) reruns" : reproduced.joined(separator: "; ")
    }

    private static func lines(_ turn: TurnComparison, indent: String) -> [String] {
        let slower = turn.differences.contains { $0.field == "timing" } ? ", timing changed" : ""
        var lines = ["\(indent)turn \(turn.number) \(quote(turn.message)): \(turn.verdict.rawValue)\(slower)\(timing(turn))"]
        for difference in turn.differences where difference.field != "turn" || turn.failure == nil {
            lines += Self.lines(difference, indent: indent + "  ")
        }
        if let failure = turn.failure { lines.append("\(indent)  failed: \(failure)") }
        return lines
    }

    private static func lines(_ difference: FieldDifference, indent: String) -> [String] {
        if let diff = difference.wordDiff { return ["\(indent)\(difference.field): \(diff)"] }
        if difference.original.isEmpty { return ["\(indent)\(difference.field): \(difference.rerun)"] }
        return ["\(indent)\(difference.field): \(difference.original) → \(difference.rerun)"]
    }

    private static func timing(_ turn: TurnComparison) -> String {
        guard let before = turn.originalTiming, let after = turn.rerunTiming else { return "" }
        func seconds(_ value: Double?) -> String { value.map { String(format: "%.2fs", $0) } ?? "–" }
        return " (took \(seconds(before.durationSeconds)) → \(seconds(after.durationSeconds)), first text \(seconds(before.firstTextSeconds)) → "
            + "\(seconds(after.firstTextSeconds)), polls \(before.polls) → \(after.polls))"
    }

    private static func quote(_ message: String) -> String {
        "\"" + (message.count > 60 ? message.prefix(57) + "…" : message) + "\""
    }

    /// Sessions same, changed and failed; with `--repeat`, how many reruns reproduced each difference.
    public var table: [String] {
        let tally = self.tally
        var lines = [
            "sessions  same  changed  failed",
            String(format: "%8d  %4d  %7d  %6d", sessions.count, tally.same, tally.changed, tally.failed),
        ]
        if repeats > 1 {
            for session in sessions where !session.reproductions.isEmpty {
                for (difference, count) in session.reproductions.sorted(by: { $0.key < $1.key }) {
                    lines.append("\(session.original): \(difference) in \(count) of \(session.reruns.count)")
                }
            }
        }
        if interrupted { lines.append("interrupted: the reruns that ran are kept, recorded and reported above") }
        lines.append("recorded into \(recordedInto); `aomi-archive index --archives \(recordedInto)` links each rerun to its original")
        return lines
    }
}
