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

        @OptionGroup var cases: FuzzRun

        func run() throws {
            let mutator = try source.mutator()
            var targets = FuzzTargets(work: cases.work)
            try cases.loop(
                "mutants", counts: { targets.counts },
                test: { index in
                    let mutant = mutator.mutant(index)
                    guard let problem = try targets.run(mutant.bytes, compressed: mutant.compressed, index: index) else { return false }
                    try save(
                        mutant.bytes, compressed: mutant.compressed, index: index,
                        why: problem + "\nseed file: \(mutant.seedName)\nmutations: \(mutant.steps.joined(separator: ", "))")
                    return true
                })
        }

        private func save(_ bytes: [UInt8], compressed: Bool, index: UInt64, why: String) throws {
            let base = cases.findings + "/invariant-\(source.seed)-\(index)"
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

        @OptionGroup var cases: FuzzRun

        @Flag(help: "Print query FROM and stop (to reproduce a finding).")
        var show = false

        func run() throws {
            let mutator = QueryMutator(seed: seed)
            if show {
                print(String(reflecting: mutator.query(cases.from)))
                return
            }
            try FileManager.default.createDirectory(atPath: cases.work, withIntermediateDirectories: true)
            var targets = try QueryTargets(seeds: seeds, work: cases.work)
            try cases.loop(
                "queries", counts: { targets.counts },
                test: { index in
                    let query = mutator.query(index)
                    guard let problem = targets.run(query) else { return false }
                    let report = "query \(index) (seed \(seed)): \(String(reflecting: query))\n\(problem)\n"
                    try report.write(toFile: cases.findings + "/query-\(seed)-\(index).txt", atomically: true, encoding: .utf8)
                    FileHandle.standardError.write(Data(report.utf8))
                    return true
                })
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
