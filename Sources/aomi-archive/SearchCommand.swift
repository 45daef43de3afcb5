import AomiAPI
import ArchiveIndex
import ArgumentParser
import Foundation

/// `aomi-archive search`: full-text search over indexed messages.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search indexed chats: words, \"phrases\", prefix*, OR, -exclude, (groups), and filters such as from:agent after:7d.",
        discussion: """
            All words must match; words joined by punctuation (ETH/USDC, 2,080.55) match as a \
            phrase; hex values of 6 digits or more (0x4e8b6b50) match as prefixes. Filters in \
            the query: wallet:0x…, session:ID, from:user|agent|system, after:T, before:T \
            (2026-11-26, 2026-11-26T10:00:00Z, 30m, 24h, 7d, 2w) and title:WORD. The README has \
            the full table.
            """)

    @Argument(
        parsing: .allUnrecognized,
        help: "What to look for, in one argument or several (joined by spaces); a leading -word excludes, as in the query.")
    var words: [String] = []

    private var query: String { words.joined(separator: " ") }

    @OptionGroup var location: IndexLocation

    @Option(help: "Only this wallet's threads.")
    var wallet: String?

    @Option(help: "Only this session.")
    var session: String?

    @Option(help: "Only messages from user, agent or system.")
    var sender: String?

    @Option(help: "Only messages sent at or after this time, by the messages' own timestamps (ISO 8601, or 30m, 24h, 7d, 2w ago).")
    var since: String?

    @Option(help: "Only messages sent at or before this time.")
    var until: String?

    @Option(parsing: .unconditional, help: "Most hits shown (1 to 1000).")
    var limit = 20

    @Flag(help: "JSON Lines: the query as understood, then one object per hit.")
    var json = false

    func validate() throws {
        if let sender, MessageSender(rawValue: sender) == nil {
            throw ValidationError("--sender must be user, agent or system, not \(sender)")
        }
        if let wallet, WalletPrefix(wallet) == nil {
            throw ValidationError("--wallet must be a wallet address (0x and 40 hex digits) or its first 6 digits or more, not \(wallet)")
        }
        try ArgumentRange.check(limit, "--limit", 1...1000)
    }

    func run() throws {
        let understood = try ParsedQuery(query).understood
        let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(location: location.database))
        let terminal = isatty(STDOUT_FILENO) == 1 && !json
        let search = SearchQuery(
            text: query, wallet: wallet, session: session, sender: sender.flatMap(MessageSender.init(rawValue:)),
            since: try since.map { try TimeExpression.parse($0) }, until: try until.map { try TimeExpression.parse($0) },
            limit: limit, highlight: terminal ? ("\u{1B}[1m", "\u{1B}[0m") : ("[", "]"))
        let (hits, totals) = try queries.searchCounting(search)
        if json {
            let output = JSONLinesWriter()
            output.write(["kind": "query", "query": query, "understood": understood], totals)
            for hit in hits { output.write(["kind": "hit"], hit) }
            return
        }
        if understood != query { FileHandle.standardError.write(Data("searching for: \(understood)\n".utf8)) }
        for hit in hits {
            let copies = hit.copies > 1 ? "  (×\(hit.copies) in this session)" : ""
            print("\(hit.time)  \(hit.wallet ?? "-")  \(hit.session)  \"\(hit.title ?? "")\"  \(hit.sender): \(hit.snippet)\(copies)")
        }
        if hits.isEmpty {
            FileHandle.standardError.write(Data("no match for \(query)\n".utf8))
        } else {
            // Hits fold identical messages of a session: compare with the hits, not the messages.
            let cut = hits.count < totals.hits ? ", \(Counted.of(hits.count, "hit")) shown (--limit)" : ""
            FileHandle.standardError.write(Data("\(totals.summary)\(cut)\n".utf8))
        }
    }
}
