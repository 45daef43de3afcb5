import Foundation

/// Runs the reference reader, PyPI's warcio, as `python3 -m warcio.cli …`.
public enum Warcio {
    /// Exit status and everything printed.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    public static func run(_ arguments: [String]) async throws -> Result {
        try await runPython(["-m", "warcio.cli"] + arguments)
    }

    public static func runPython(_ arguments: [String]) async throws -> Result {
        let output = try await ChildProcess.run("/usr/bin/env", ["python3"] + arguments, mergeErrors: true)
        return Result(status: output.status, output: output.standardOutput)
    }
}
