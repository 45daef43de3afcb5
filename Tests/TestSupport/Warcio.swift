import Foundation

/// Runs the reference reader, PyPI's warcio, as `python3 -m warcio.cli …`.
public enum Warcio {
    /// Exit status and everything printed.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    public static func run(_ arguments: [String]) throws -> Result {
        try runPython(["-m", "warcio.cli"] + arguments)
    }

    public static func runPython(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
