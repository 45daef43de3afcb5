import ArgumentParser
import Logging

/// `--log-level` and `--quiet`, the same on every server command.
struct LogOptions: ParsableArguments {
    @Option(help: "Least important log entries shown: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Flag(help: "Only warnings and worse in the log (the same as --log-level warning).")
    var quiet = false

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \(logLevel)")
        }
    }

    /// A logger with the chosen level.
    func logger(label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = quiet ? .warning : Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}
