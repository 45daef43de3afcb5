import ArgumentParser
import Foundation

/// What a fuzzing run of numbered cases shares (mutants, queries): the range or time it runs
/// for, the scratch folder, the progress file the watcher (tools/fuzz/fuzz.sh) reads to know
/// which case a crash or hang happened on, and where findings go.
struct FuzzRun: ParsableArguments {
    @Option(help: "First case number.")
    var from: UInt64 = 0

    @Option(help: "How many cases at most.")
    var count: UInt64 = .max

    @Option(help: "Stop after this many seconds.")
    var seconds: Double = .infinity

    @Option(help: "Scratch folder.")
    var work: String

    @Option(help: "File that always holds the number of the case being run (for the watcher).")
    var progress: String

    @Option(help: "Where a case that broke an invariant is saved.")
    var findings: String

    /// Runs `test` on cases `from`, `from + 1`, … until `count` or `seconds` is reached; `test`
    /// returns true when case N broke an invariant. Prints a summary (`NOUN N (FROM..<END) in
    /// S s, R/s, broken invariants B` and `counts`) and throws exit status 3 when any broke.
    func loop(_ noun: String, counts: () -> [String: Int], test: (UInt64) throws -> Bool) throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: findings, withIntermediateDirectories: true)
        let progressFile = open(progress, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard progressFile >= 0 else { throw FuzzError.usage("cannot write \(progress)") }
        defer { close(progressFile) }
        let started = ContinuousClock.now
        let deadline = seconds.isFinite ? started + .milliseconds(Int64(min(seconds, 1e9) * 1000)) : nil
        var index = from
        var run: UInt64 = 0
        var found = 0
        while run < count, deadline.map({ ContinuousClock.now < $0 }) ?? true {
            let mark = Array(String(index).padding(toLength: 20, withPad: " ", startingAt: 0).utf8)
            _ = mark.withUnsafeBytes { pwrite(progressFile, $0.baseAddress!, $0.count, 0) }
            if try test(index) { found += 1 }
            index += 1
            run += 1
        }
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        print(
            "\(noun) \(run) (\(from)..<\(index)) in \(String(format: "%.1f", elapsed)) s, \(String(format: "%.0f", Double(run) / max(elapsed, 0.001)))/s, broken invariants \(found)"
        )
        for (name, value) in counts().sorted(by: { $0.key < $1.key }) { print("  \(name): \(value)") }
        if found > 0 { throw ExitCode(3) }
    }
}
