import ArgumentParser
import Foundation

/// The archive fuzzer: mutants of real recorded archives through every reader. `worker` runs
/// a range of mutants in this process (tools/fuzz/fuzz.sh watches it for crashes and hangs and
/// restarts it past the mutant that broke it); `mutant` writes one mutant to a file, to save
/// or reproduce it.
@main
struct ArchiveFuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive-fuzz",
        abstract: "Fuzz the WARC reader, repair, the index loader and the replay loader with mutants of real archives, and the search language with generated queries.",
        subcommands: [Worker.self, Mutant.self, Check.self, Queries.self]
    )
}

struct MutantSource: ParsableArguments {
    @Option(help: "Folder of real archives to mutate (.warc.gz and .warc, searched recursively).")
    var seeds: String

    @Option(help: "The run's seed: mutant N of a seed is always the same bytes.")
    var seed: UInt64 = 1

    func mutator() throws -> Mutator {
        Mutator(seeds: try SeedArchive.load(from: seeds), seed: seed)
    }
}

extension ArchiveFuzz {
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run mutants FROM..<FROM+COUNT, or until SECONDS have passed.")

        @OptionGroup var source: MutantSource

        @Option(help: "First mutant number.")
        var from: UInt64 = 0

        @Option(help: "How many mutants at most.")
        var count: UInt64 = .max

        @Option(help: "Stop after this many seconds.")
        var seconds: Double = .infinity

        @Option(help: "Scratch folder (emptied and reused per mutant).")
        var work: String

        @Option(help: "File that always holds the number of the mutant being run (for the watcher).")
        var progress: String

        @Option(help: "Where a mutant that broke an invariant is saved.")
        var findings: String

        func run() throws {
            let mutator = try source.mutator()
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: findings, withIntermediateDirectories: true)
            let progressFile = open(progress, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard progressFile >= 0 else { throw FuzzError.usage("cannot write \(progress)") }
            var targets = FuzzTargets(work: work)
            let started = ContinuousClock.now
            let deadline = seconds.isFinite ? started + .milliseconds(Int64(seconds * 1000)) : nil
            var index = from
            var run: UInt64 = 0
            var found = 0
            while run < count, deadline.map({ ContinuousClock.now < $0 }) ?? true {
                let mark = Array(String(index).padding(toLength: 20, withPad: " ", startingAt: 0).utf8)
                _ = mark.withUnsafeBytes { pwrite(progressFile, $0.baseAddress!, $0.count, 0) }
                let mutant = mutator.mutant(index)
                let compressed = mutant.compressed
                if let problem = try targets.run(mutant.bytes, compressed: compressed, index: index) {
                    found += 1
                    try save(
                        mutant.bytes, compressed: compressed, index: index, why: problem + "\nseed file: \(mutant.seedName)\nmutations: \(mutant.steps.joined(separator: ", "))")
                }
                index += 1
                run += 1
            }
            close(progressFile)
            let elapsed = (ContinuousClock.now - started) / .seconds(1)
            print(
                "mutants \(run) (\(from)..<\(index)) in \(String(format: "%.1f", elapsed)) s, \(String(format: "%.0f", Double(run) / max(elapsed, 0.001)))/s, broken invariants \(found)"
            )
            for (name, value) in targets.counts.sorted(by: { $0.key < $1.key }) { print("  \(name): \(value)") }
            if found > 0 { throw ExitCode(3) }
        }

        private func save(_ bytes: [UInt8], compressed: Bool, index: UInt64, why: String) throws {
            let base = findings + "/invariant-\(source.seed)-\(index)"
            try Data(bytes).write(to: URL(fileURLWithPath: base + (compressed ? ".warc.gz" : ".warc")))
            try why.write(toFile: base + ".txt", atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("mutant \(index): \(why)\n".utf8))
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send archive files (a saved finding, the test corpus) through every reader as a mutant goes; exit 3 when one breaks an invariant.")

        @Argument(help: "Archive files (.warc.gz or .warc).")
        var files: [String]

        @Option(help: "Scratch folder (emptied and reused per file).")
        var work: String = NSTemporaryDirectory() + "aomi-fuzz-check-\(UUID().uuidString.prefix(8))"

        func run() throws {
            defer { try? FileManager.default.removeItem(atPath: work) }
            var targets = FuzzTargets(work: work)
            var broken = false
            for (index, file) in files.enumerated() {
                guard let data = FileManager.default.contents(atPath: file) else { throw FuzzError.usage("cannot read \(file)") }
                if let problem = try targets.run(Array(data), compressed: file.hasSuffix(".gz"), index: UInt64(index)) {
                    broken = true
                    print("broken: \(file): \(problem)")
                } else {
                    print("ok: \(file)")
                }
            }
            if broken { throw ExitCode(3) }
        }
    }

    struct Queries: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run generated search queries FROM..<FROM+COUNT (or until SECONDS have passed) through the parser, both compilers and a SQLite search.")

        @Option(help: "Folder of real archives to index and search (.warc.gz, searched recursively).")
        var seeds: String

        @Option(help: "The run's seed: query N of a seed is always the same text.")
        var seed: UInt64 = 1

        @Option(help: "First query number.")
        var from: UInt64 = 0

        @Option(help: "How many queries at most.")
        var count: UInt64 = .max

        @Option(help: "Stop after this many seconds.")
        var seconds: Double = .infinity

        @Option(help: "Scratch folder (the index is made there).")
        var work: String

        @Option(help: "File that always holds the number of the query being run (for the watcher).")
        var progress: String

        @Option(help: "Where a query that broke an invariant is saved.")
        var findings: String

        @Flag(help: "Print query FROM and stop (to reproduce a finding).")
        var show = false

        func run() throws {
            let mutator = QueryMutator(seed: seed)
            if show {
                print(String(reflecting: mutator.query(from)))
                return
            }
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: findings, withIntermediateDirectories: true)
            var targets = try QueryTargets(seeds: seeds, work: work)
            let progressFile = open(progress, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard progressFile >= 0 else { throw FuzzError.usage("cannot write \(progress)") }
            let started = ContinuousClock.now
            let deadline = seconds.isFinite ? started + .milliseconds(Int64(min(seconds, 1e9) * 1000)) : nil
            var index = from
            var run: UInt64 = 0
            var found = 0
            while run < count, deadline.map({ ContinuousClock.now < $0 }) ?? true {
                let mark = Array(String(index).padding(toLength: 20, withPad: " ", startingAt: 0).utf8)
                _ = mark.withUnsafeBytes { pwrite(progressFile, $0.baseAddress!, $0.count, 0) }
                let query = mutator.query(index)
                if let problem = targets.run(query) {
                    found += 1
                    let report = "query \(index) (seed \(seed)): \(String(reflecting: query))\n\(problem)\n"
                    try report.write(toFile: findings + "/query-\(seed)-\(index).txt", atomically: true, encoding: .utf8)
                    FileHandle.standardError.write(Data(report.utf8))
                }
                index += 1
                run += 1
            }
            close(progressFile)
            let elapsed = (ContinuousClock.now - started) / .seconds(1)
            print(
                "queries \(run) (\(from)..<\(index)) in \(String(format: "%.1f", elapsed)) s, \(String(format: "%.0f", Double(run) / max(elapsed, 0.001)))/s, broken invariants \(found)"
            )
            for (name, value) in targets.counts.sorted(by: { $0.key < $1.key }) { print("  \(name): \(value)") }
            if found > 0 { throw ExitCode(3) }
        }
    }

    struct Mutant: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write mutant INDEX to a file and say how it was made.")

        @OptionGroup var source: MutantSource

        @Option(help: "The mutant's number.")
        var index: UInt64

        @Option(help: "The file to write (the suffix is added: .warc.gz or .warc).")
        var out: String

        func run() throws {
            let mutator = try source.mutator()
            let mutant = mutator.mutant(index)
            let path = out + (mutant.compressed ? ".warc.gz" : ".warc")
            try Data(mutant.bytes).write(to: URL(fileURLWithPath: path))
            print("\(path): from \(mutant.seedName): \(mutant.steps.joined(separator: ", "))")
        }
    }
}
