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

    /// The same logger for the start-up line and the summary: shown at `notice` even with
    /// `--quiet`, in the log's format, where the log goes.
    func announcer(label: String) -> Logger {
        var logger = self.logger(label: label)
        logger.logLevel = min(logger.logLevel, .notice)
        return logger
    }
}
