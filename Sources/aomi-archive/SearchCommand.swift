import AomiAPI
import ArchiveIndex
import ArgumentParser
import Foundation

/// `aomi-archive search`: full-text search over indexed messages.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search indexed chats (SQLite FTS5 syntax: words, \"phrases\", prefix*, AND, OR, NOT).")

    @Argument(help: "What to look for.")
    var query: String

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

    @Option(help: "Most hits shown.")
    var limit = 20

    @Flag(help: "One JSON object per hit.")
    var json = false

    func validate() throws {
        if let sender, MessageSender(rawValue: sender) == nil {
            throw ValidationError("--sender must be user, agent or system, not \(sender)")
        }
        if let wallet, WalletAddress(wallet) == nil {
            throw ValidationError("--wallet must be a wallet address (0x and 40 hex digits), not \(wallet)")
        }
    }

    func run() throws {
        let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(path: location.databasePath))
        let terminal = isatty(STDOUT_FILENO) == 1 && !json
        let hits = try queries.search(
            SearchQuery(
                text: query, wallet: wallet, session: session, sender: sender.flatMap(MessageSender.init(rawValue:)),
                since: try since.map { try TimeExpression.parse($0) }, until: try until.map { try TimeExpression.parse($0) },
                limit: limit, highlight: terminal ? ("\u{1B}[1m", "\u{1B}[0m") : ("[", "]")))
        if json {
            let output = JSONLinesWriter()
            for hit in hits { output.write(hit) }
            return
        }
        for hit in hits {
            print("\(hit.time)  \(hit.wallet ?? "-")  \(hit.session)  \"\(hit.title ?? "")\"  \(hit.sender): \(hit.snippet)")
        }
        if hits.isEmpty { FileHandle.standardError.write(Data("no match for \(query)\n".utf8)) }
    }
}
