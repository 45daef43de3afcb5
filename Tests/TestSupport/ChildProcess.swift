import Foundation

/// Runs a program to its end (a `SpawnedProcess`) without holding a thread of Swift's cooperative pool (two on
/// these machines): a test that waited with `waitUntilExit()` for a minute-long `demo` took a
/// pool thread away from every other test's servers, and under load three tests stalled past
/// their time limits.
public enum ChildProcess {
    public struct Output: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// `executable` with `arguments` (and `environment` added); output and error as text. With
    /// `mergeErrors`, both streams go to `standardOutput` in the order written.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], mergeErrors: Bool = false) async throws -> Output {
        let folder = TemporaryDirectory.path("aomi-child")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outputPath = folder + "/stdout"
        let errorPath = folder + "/stderr"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let environment = environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let child = try SpawnedProcess(executable, arguments, environment: environment, output: outputPath, errors: mergeErrors ? nil : errorPath)
        let status = await child.wait()
        return Output(
            status: status,
            standardOutput: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }
}
