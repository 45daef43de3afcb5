import AomiAPI
import ArchiveIndex
import Foundation
import WARC

/// `index-bench generate ROOT [wallets threads messages [first]]`: writes the benchmark archive
/// root; `first` numbers the wallets from there, so a second run adds other wallets to a root.
/// `index-bench search DB ROOT [queries]`: times varied searches (with and without filters).
@main
struct IndexBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3 else {
            print("usage: index-bench generate ROOT [WALLETS THREADS MESSAGES [FIRST]] | index-bench search DB [QUERIES]")
            exit(2)
        }
        switch arguments[1] {
        case "generate":
            let wallets = arguments.count > 3 ? Int(arguments[3])! : 1_000
            let threads = arguments.count > 4 ? Int(arguments[4])! : 10_000
            let messages = arguments.count > 5 ? Int(arguments[5])! : 100
            let first = arguments.count > 6 ? Int(arguments[6])! : 0
            try await generate(root: arguments[2], wallets: wallets, threads: threads, messages: messages, first: first)
        case "search":
            try search(database: arguments[2], count: arguments.count > 3 ? Int(arguments[3])! : 200)
        default:
            print("unknown command \(arguments[1])")
            exit(2)
        }
    }

    static func generate(root: String, wallets: Int, threads: Int, messages: Int, first: Int) async throws {
        let started = Date()
        // LEVEL=0 writes stored members, as the recorder's live files are; 1 (the default) is compressed.
        let level = ProcessInfo.processInfo.environment["LEVEL"].flatMap { Int32($0) } ?? 1
        let generator = ArchiveGenerator(root: root, wallets: wallets, threads: threads, messagesPerThread: messages, level: level)
        let workers = 2
        let records = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                let range = (first + wallets * worker / workers)..<(first + wallets * (worker + 1) / workers)
                group.addTask { try await generator.generate(wallets: range) }
            }
            return try await group.reduce(0, +)
        }
        print(
            String(
                format: "generated %d records, %d messages in %d threads of %d wallets in %.1f s", records, threads * (messages / 2) * 2, threads, wallets,
                Date().timeIntervalSince(started)))
    }

    static func search(database path: String, count: Int) throws {
        let database = try ArchiveDatabase.openExisting(location: path)
        let queries = ArchiveQueries(database: database)
        let wallets = try queries.sampleWallets(limit: 50)
        let words = [
            "price", "swap", "slippage", "staking", "bridge", "liquidity", "uniswap", "gas", "wallet", "portfolio", "failed",
            "reverted", "optimism", "arbitrum", "epoch", "governance", "aggregator", "quote", "curve", "mainnet",
        ]
        var plain: [Double] = []
        var filtered: [Double] = []
        var byShape: [String: [Double]] = [:]
        var timed: [(milliseconds: Double, query: String)] = []
        var random = SeededRandom(state: 7)
        for index in 0..<count {
            let lexicon = ArchiveGenerator.lexicon
            let pick = { (random: inout SeededRandom) -> String in
                random.next() % 3 == 0 ? words[random.int(in: 0...(words.count - 1))] : lexicon[random.int(in: 0...(lexicon.count - 1))]
            }
            let word = pick(&random)
            let other = pick(&random)
            let text: String =
                switch index % 5 {
                case 0: word
                case 1: "\"\(word) \(other)\""
                case 2: "\(word) AND \(other)"
                case 3: String(word.prefix(4)) + "*"
                default: "tx\(random.int(in: 0...9_999))x*"
                }
            var query = SearchQuery(text: text, limit: 20)
            let isFiltered = index % 2 == 1
            if isFiltered {
                switch index % 3 {
                case 0: query.wallet = wallets[random.int(in: 0...(wallets.count - 1))]
                case 1: query.sender = .user
                default: query.since = "2026-09-21T00:00:00.000000Z"
                }
            }
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try queries.search(query)
            let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if isFiltered { filtered.append(milliseconds) } else { plain.append(milliseconds) }
            byShape[["word", "phrase", "AND", "prefix", "id prefix"][index % 5], default: []].append(milliseconds)
            timed.append((milliseconds, text + (isFiltered ? " (filtered)" : "")))
        }
        func percentile(_ values: [Double], _ p: Double) -> Double {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
        let all = plain + filtered
        print(
            String(
                format: "search latency over %d queries: p50 %.2f ms, p95 %.2f ms (no filter: p50 %.2f, p95 %.2f; filtered: p50 %.2f, p95 %.2f)",
                all.count, percentile(all, 0.5), percentile(all, 0.95), percentile(plain, 0.5), percentile(plain, 0.95),
                percentile(filtered, 0.5), percentile(filtered, 0.95)))
        for (shape, values) in byShape.sorted(by: { $0.key < $1.key }) {
            print(String(format: "  %@: p50 %.2f ms, p95 %.2f ms, max %.2f ms", shape, percentile(values, 0.5), percentile(values, 0.95), values.max() ?? 0))
        }
        print("  slowest: " + timed.sorted { $0.milliseconds > $1.milliseconds }.prefix(6).map { String(format: "%@ %.1f ms", $0.query, $0.milliseconds) }.joined(separator: ", "))
    }
}
