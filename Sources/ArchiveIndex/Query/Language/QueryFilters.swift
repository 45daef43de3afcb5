import AomiAPI

/// The inline filters of a query (`wallet:`, `session:`, `from:`, `after:`, `before:`,
/// `title:`), the same as the `search` command's flags. Repeated filters all apply; senders
/// named more than once are alternatives (`from:user from:agent`).
public struct QueryFilters: Sendable, Equatable {
    /// A whole address, or its start (`0x` and 6 digits or more) for every wallet it begins.
    public var wallet: String?
    public var session: String?
    /// Empty: any sender.
    public var senders: Set<MessageSender> = []
    /// `WARC-Date` forms (UTC ISO 8601 with microseconds), inclusive.
    public var after: String?
    public var before: String?
    /// Words the thread's title (any title it ever had) must contain.
    public var titleWords: [String] = []

    public init() {}

    var isEmpty: Bool { self == QueryFilters() }

    /// The filter names the language knows, lower-case, each with an example value.
    static let examples: [String: String] = [
        "wallet": "0xcbd68b38", "session": "ID", "from": "agent", "after": "7d", "before": "2026-11-01", "title": "swap",
    ]
    static var names: Set<String> { Set(examples.keys) }

    /// Takes `name:value` (name already known and lower-cased).
    mutating func add(_ name: String, _ value: String) throws(QueryProblem) {
        switch name {
        case "wallet":
            guard let address = WalletPrefix(value) else {
                throw .badFilter(name: name, value: value, reason: "a wallet is 0x and 40 hex digits, or its first \(WalletPrefix.shortest) or more")
            }
            try set(&wallet, address.value, name: name)
        case "session":
            try set(&session, value, name: name)
        case "from":
            guard let sender = MessageSender(rawValue: value.lowercased()) else {
                throw .badFilter(name: name, value: value, reason: "from: takes user, agent or system")
            }
            senders.insert(sender)
        case "after", "before":
            let time: String
            do {
                time = try TimeExpression.parse(value)
            } catch .timeOutOfRange {
                throw .badFilter(name: name, value: value, reason: "a time lies within the years 1 to 9999")
            } catch {
                throw .badFilter(name: name, value: value, reason: "a time is a date (2026-11-26), a UTC time (2026-11-26T10:00:00Z) or an age (30m, 24h, 7d, 2w)")
            }
            if name == "after" { after = max(after ?? time, time) } else { before = min(before ?? time, time) }
        default:
            let words = FullTextWords.words(in: value[...]).map { $0.lowercased() }
            guard !words.isEmpty else { throw .badFilter(name: name, value: value, reason: "title: needs a word of the title") }
            titleWords += words
        }
    }

    /// A single-valued filter: given twice, both must hold, which two different values cannot.
    private func set(_ field: inout String?, _ value: String, name: String) throws(QueryProblem) {
        if let field, field != value { throw .badFilter(name: name, value: value, reason: "already \(name):\(field); a message is in one \(name)") }
        field = value
    }

    /// The filters in the language's syntax, for echoing how a query was understood.
    var terms: [String] {
        var terms: [String] = []
        if let wallet { terms.append("wallet:\(wallet)") }
        if let session { terms.append("session:\(session)") }
        terms += senders.map(\.rawValue).sorted().map { "from:\($0)" }
        if let after { terms.append("after:\(after)") }
        if let before { terms.append("before:\(before)") }
        terms += titleWords.map { "title:\($0)" }
        return terms
    }
}
