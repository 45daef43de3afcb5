import AomiAPI
import ArchiveIndex
import ArgumentParser
import Foundation

/// `aomi-archive threads`: a wallet's threads, newest first.
struct ThreadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "threads", abstract: "List a wallet's indexed threads, newest activity first.")

    @Option(help: "Wallet address (0x…).")
    var wallet: String

    @OptionGroup var location: IndexLocation

    @Flag(help: "One JSON object per thread.")
    var json = false

    func validate() throws {
        if WalletAddress(wallet) == nil {
            throw ValidationError("--wallet must be a wallet address (0x and 40 hex digits), not \(wallet)")
        }
    }

    func run() throws {
        let threads = try ArchiveQueries(database: try ArchiveDatabase.openExisting(location: location.database)).threads(wallet: wallet)
        if json {
            let output = JSONLinesWriter()
            for thread in threads { output.write(thread) }
            return
        }
        for thread in threads {
            print("\(thread.session)  \(Counted.of(thread.messages, "message"))  \(thread.firstActivity ?? "-") … \(thread.lastActivity ?? "-")  \"\(thread.title ?? "")\"")
        }
        if threads.isEmpty { FileHandle.standardError.write(Data("no indexed threads for \(wallet)\n".utf8)) }
    }
}
