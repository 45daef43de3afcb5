import Foundation
import TestSupport
import Testing

/// Runs the built `aomi-archive` executable as a user would, and captures what it prints.
enum CommandRunner {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The `aomi-archive` executable beside the test bundle.
    static var executable: String { built("aomi-archive") }

    /// An executable of the package beside the test bundle (SwiftPM builds both into one folder).
    static func built(_ name: String) -> String {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent(), folder.deletingLastPathComponent().deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return ".build/debug/" + name
    }

    /// Runs the command to its end without holding a thread of the cooperative pool.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let output = try await ChildProcess.run(executable, arguments, environment: environment)
        return Result(status: output.status, standardOutput: output.standardOutput, standardError: output.standardError)
    }

    /// Runs the command and requires it to exit 0, naming the command and what it printed on
    /// stderr when it does not.
    static func succeeded(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let result = try await run(arguments, environment: environment)
        try #require(result.status == 0, "\(arguments.joined(separator: " ")): \(result.standardError)")
        return result
    }
}
