/// A recorded conversation and one rerun of it, compared turn by turn.
public struct ConversationComparison: Sendable, Hashable, Codable {
    public var original: String
    /// The rerun's session id; nil when it never started.
    public var rerun: String?
    public var wallet: String?
    public var turns: [TurnComparison]
    /// Differences that belong to no turn: the title, a crawl's wallet requests.
    public var sessionDifferences: [FieldDifference]
    /// What the rerun could not do as recorded (secrets it lacks, answers it chose).
    public var notes: [String]

    /// The most serious verdict of its turns and session differences.
    public var verdict: TurnVerdict {
        (turns.map(\.verdict) + sessionDifferences.map(\.verdict)).max() ?? .same
    }

    /// Each difference as a short key (`turn 2: wallet request changed`), to count how many of
    /// several reruns reproduced it.
    public var differenceKeys: Set<String> {
        var keys = Set(turns.filter { $0.verdict != .same }.map { "turn \($0.number): \($0.verdict.rawValue)" })
        for turn in turns where turn.differences.contains(where: { $0.field == "timing" }) { keys.insert("turn \(turn.number): timing changed") }
        for difference in sessionDifferences { keys.insert("session: \(difference.field) (\(difference.verdict.rawValue))") }
        return keys
    }
}

extension ConversationComparison {
    /// Compares `rerun` with `original`, turn by turn; `failures` are what the run itself saw
    /// go wrong, by turn number (0: before the first turn).
    public init(original: RecordedConversation, rerun: RecordedConversation?, failures: [Int: String] = [:], notes: [String] = []) {
        let text = ComparedText(
            masks: (original.proofs + (rerun?.proofs ?? [])).map { ($0, "0x<hash>") } + [(original.sessionID, "<session>")]
                + (rerun.map { [($0.sessionID, "<session>")] } ?? []))
        let compareEvents = original.hasUpdatesChannel && (rerun?.hasUpdatesChannel ?? false)
        var turns: [TurnComparison] = []
        for (index, before) in original.turns.enumerated() {
            let number = index + 1
            let after = rerun.flatMap { index < $0.turns.count ? $0.turns[index] : nil }
            var differences =
                after.map {
                    TurnDifferences(text: text, compareEvents: compareEvents, compareWalletRequests: !original.fromTranscript).between(before, $0)
                } ?? []
            var failure = failures[number]
            if failure == nil, let after, let error = after.errors.first(where: { $0.hasPrefix("HTTP ") }) { failure = error }
            if failure == nil, after == nil { failure = failures[0] ?? "the turn was not sent" }
            if failure == nil, let after, after.timing != nil, after.timing?.durationSeconds == nil { failure = "the turn never ended" }
            if let failure { differences.insert(FieldDifference(field: "turn", verdict: .failed, original: "ended", rerun: failure), at: 0) }
            if failure == nil, let before = before.timing, let after = after?.timing, let shift = before.firstTextShift(in: after) {
                differences.append(FieldDifference(field: "timing", verdict: .same, original: "", rerun: shift))
            }
            turns.append(
                TurnComparison(
                    number: number, message: before.user.message, verdict: differences.map(\.verdict).max() ?? .same, differences: differences,
                    originalTiming: before.timing, rerunTiming: after?.timing, failure: failure, original: before, rerun: after))
        }
        var session: [FieldDifference] = []
        if let rerun {
            let titles = (original.title.map(text.normalise) ?? "", rerun.title.map(text.normalise) ?? "")
            if titles.0 != titles.1, !(original.fromTranscript && titles.0.isEmpty) {
                session.append(FieldDifference(field: "title", verdict: .textChanged, original: titles.0, rerun: titles.1, wordDiff: WordDiff.render(titles.0, titles.1)))
            }
            if original.fromTranscript {
                let requested = rerun.turns.flatMap(\.walletRequests) + rerun.sessionWalletRequests
                session += TurnDifferences.walletRequests(original.sessionWalletRequests, requested)
            }
        }
        self.init(original: original.sessionID, rerun: rerun?.sessionID, wallet: original.wallet, turns: turns, sessionDifferences: session, notes: notes)
    }
}

/// The fields of two turns that differ, each with its verdict.
struct TurnDifferences {
    let text: ComparedText
    let compareEvents: Bool
    let compareWalletRequests: Bool

    func between(_ original: ConversationTurn, _ rerun: ConversationTurn) -> [FieldDifference] {
        var differences: [FieldDifference] = []
        func compareText(_ field: String, _ before: [String], _ after: [String], verdict: TurnVerdict = .textChanged) {
            let old = before.map(text.normalise).joined(separator: "\n")
            let new = after.map(text.normalise).joined(separator: "\n")
            guard old != new else { return }
            differences.append(FieldDifference(field: field, verdict: verdict, original: old, rerun: new, wordDiff: WordDiff.render(old, new)))
        }
        compareText("agent text", original.agentMessages, rerun.agentMessages)
        compareText("system messages", original.systemMessages, rerun.systemMessages)
        let tools = { (turn: ConversationTurn) in turn.tools.filter { compareEvents || $0.name.hasPrefix("tool_result ") }.map(\.description) }
        compareText("tools", tools(original), tools(rerun), verdict: .toolsChanged)
        if compareWalletRequests { differences += Self.walletRequests(original.walletRequests, rerun.walletRequests) }
        let notices = { (turn: ConversationTurn) in turn.notices.filter { compareEvents || !$0.hasPrefix("update: ") } }
        compareText("notices", notices(original), notices(rerun))
        compareText("errors", original.errors.filter { !$0.hasPrefix("HTTP ") }, rerun.errors.filter { !$0.hasPrefix("HTTP ") })
        return differences
    }

    /// Wallet requests compared in order, field by field.
    static func walletRequests(_ original: [WalletRequestSummary], _ rerun: [WalletRequestSummary]) -> [FieldDifference] {
        var differences: [FieldDifference] = []
        for index in 0..<max(original.count, rerun.count) {
            let label = "wallet request \(index + 1)"
            guard index < original.count, index < rerun.count else {
                let before = index < original.count ? original[index].description : "none"
                let after = index < rerun.count ? rerun[index].description : "none"
                differences.append(FieldDifference(field: label, verdict: .walletRequestChanged, original: before, rerun: after))
                continue
            }
            let before = Dictionary(original[index].fields, uniquingKeysWith: { first, _ in first })
            let after = Dictionary(rerun[index].fields, uniquingKeysWith: { first, _ in first })
            for name in ["kind", "to", "value", "data", "chain_id", "typed_data"] where before[name] != after[name] {
                differences.append(
                    FieldDifference(field: "\(label) \(name)", verdict: .walletRequestChanged, original: before[name] ?? "none", rerun: after[name] ?? "none"))
            }
        }
        return differences
    }
}
