import Foundation
import TestSupport

/// The built `aomi-archive` started as a separate process (a server), with its output in files
/// so that the test can wait for a line, signal it and collect what it printed.
final class BackgroundCommand: @unchecked Sendable {
    let process: SpawnedProcess
    /// Holds the output files; removed with the command.
    let folder: String
    let outputPath: String
    let errorPath: String

    /// Runs `aomi-archive arguments…`; with `launcher`, runs `launcher… aomi-archive
    /// arguments…` (for instance `prlimit --nofile=64`). `environment` is added to this
    /// process's.
    init(_ arguments: [String], launcher: [String] = [], environment: [String: String] = [:]) throws {
        folder = TemporaryDirectory.path("aomi-bg")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        outputPath = folder + "/stdout"
        errorPath = folder + "/stderr"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let command = launcher.isEmpty ? [CommandRunner.executable] + arguments : launcher + [CommandRunner.executable] + arguments
        process = try SpawnedProcess(
            command[0], Array(command.dropFirst()), environment: environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { $1 },
            output: outputPath, errors: errorPath)
    }

    var standardOutput: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// `aomi-archive sim` with every delay at 1 ms, and its URL once it listens.
    static func startSimulator() async throws -> (BackgroundCommand, String) {
        let sim = try BackgroundCommand(["sim", "--listen", "127.0.0.1:0", "--think", "1ms", "--chunk-interval", "1ms", "--title-delay", "1ms"])
        return (sim, try await sim.waitForURL())
    }

    /// Waits until the log says where the server listens (`listening on http://127.0.0.1:PORT`)
    /// and returns that URL; fails only when the process ends without saying it (a hang is left
    /// to the test's time limit).
    func waitForURL() async throws -> String {
        while true {
            let log = standardError + standardOutput
            if let range = log.range(of: #"listening on https?://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                return String(log[range].dropFirst("listening on ".count))
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BackgroundCommandError(message: "no URL printed; stdout: \(standardOutput) stderr: \(standardError)")
    }

    /// Waits until the log holds `count` lines containing `text`; fails only when the process
    /// ends first (a hang is left to the test's time limit).
    func waitForLines(containing text: String, count: Int = 1) async throws {
        while true {
            let lines = (standardError + standardOutput).split(separator: "\n").filter { $0.contains(text) }
            if lines.count >= count { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BackgroundCommandError(message: "ended before \(count) lines with \"\(text)\"; stdout: \(standardOutput) stderr: \(standardError)")
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the process to end and returns its exit status.
    func wait() async -> Int32 {
        // No deadline: the test's time limit catches a hang.
        await process.wait()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: folder)
    }
}

struct BackgroundCommandError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
