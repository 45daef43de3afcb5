import ArgumentParser
import Logging
import Telemetry

/// `--log-level`, `--quiet` and `--log-format`, the same on every server command.
struct LogOptions: ParsableArguments {
    @Option(help: "Least important log entries shown: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Flag(help: "Only warnings and worse in the log (the same as --log-level warning).")
    var quiet = false

    @Option(help: "How log lines are written: text, or json (one JSON object per line, the same fields, for log shippers).")
    var logFormat: LogFormat = .text

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \(logLevel)")
        }
    }

    /// A logger with the chosen level.
    func logger(label: String) -> Logger {
        var logger =
            switch logFormat {
            case .text: Logger(label: label)
            case .json: Logger(label: label) { JSONLogHandler(label: $0) }
            }
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

/// The two forms of log line.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
