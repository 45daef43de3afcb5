import ArchiveIndex
import ArgumentParser
import Foundation

/// `aomi-archive wallets`: the indexed wallets with their threads, messages and activity.
struct WalletsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallets", abstract: "List the indexed wallets: threads, messages, first and last activity, newest first.")

    @OptionGroup var location: IndexLocation

    @Flag(help: "JSON Lines: one object per wallet (kind \"wallet\"), then the count of exchanges without a session (kind \"sessionless\").")
    var json = false

    func run() throws {
        let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(location: location.database))
        let wallets = try allWallets(queries)
        let sessionless = try queries.sessionlessExchangeCount()
        if json {
            let output = JSONLinesWriter()
            for wallet in wallets { output.write(["kind": "wallet"], wallet) }
            output.write(["kind": "sessionless"], ["exchanges": sessionless])
            return
        }
        if !wallets.isEmpty { print("wallet                                      threads  messages  first activity               last activity") }
        for wallet in wallets {
            print(
                wallet.wallet.padding(toLength: 44, withPad: " ", startingAt: 0) + String(wallet.threads).leftPadded(7) + String(wallet.messages).leftPadded(10)
                    + "  " + (wallet.firstActivity ?? "-").padding(toLength: 29, withPad: " ", startingAt: 0) + (wallet.lastActivity ?? "-"))
        }
        print("\(Counted.of(wallets.count, "wallet")), \(Counted.of(sessionless, "exchange")) without a session (serve shows them at /unbound)")
    }

    private func allWallets(_ queries: ArchiveQueries) throws -> [WalletListing] {
        var wallets: [WalletListing] = []
        while true {
            let page = try queries.wallets(limit: 1000, offset: wallets.count)
            wallets += page
            if page.count < 1000 { return wallets }
        }
    }
}

extension String {
    /// Right-aligned in `width` columns.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
