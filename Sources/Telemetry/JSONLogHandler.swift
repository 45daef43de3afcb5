import Foundation
import Logging

/// `--log-format json`: one JSON object per line on standard error, for log shippers. It holds
/// the fields of the text line: `time` (UTC, ISO 8601 with milliseconds), `level`, `label`,
/// `message`, `source` (the module), and each metadata entry as a key of its own (`session`,
/// `wallet`, …; one that would shadow those five goes under `metadata`).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: JSONLogOutput

    public init(label: String, output: JSONLogOutput = .standardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        output.write(Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", source: event.source, metadata: merged))
    }

    /// The JSON line of one entry, ending in a newline.
    static func line(time: Date, level: Logger.Level, label: String, message: String, source: String, metadata: Logger.Metadata) -> String {
        var fields: [(String, String)] = [
            ("time", JSONText.string(time.formatted(timeFormat))), ("level", JSONText.string(level.rawValue)), ("label", JSONText.string(label)),
            ("message", JSONText.string(message)), ("source", JSONText.string(source)),
        ]
        let reserved = Set(fields.map(\.0))
        var shadowed: [(String, String)] = []
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            if reserved.contains(key) { shadowed.append((key, JSONText.value(value))) } else { fields.append((key, JSONText.value(value))) }
        }
        if !shadowed.isEmpty { fields.append(("metadata", JSONText.object(shadowed))) }
        return JSONText.object(fields) + "\n"
    }

    private static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
}

/// Where JSON log lines go: each line is written whole, in one call, under a lock, so lines
/// of concurrent tasks never interleave.
public final class JSONLogOutput: Sendable {
    public static let standardError = JSONLogOutput(descriptor: 2)
    private let descriptor: Int32
    private let lock = NSLock()

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        lock.lock()
        defer { lock.unlock() }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { return }
            written += result
        }
        bytes.removeAll()
    }
}

/// JSON text for the log lines: strings escaped as RFC 8259 asks (control characters as
/// `\u00XX`), metadata values as strings, arrays and objects.
enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20 || control.value == 0x7F:
                out += String(format: "\\u%04x", control.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func value(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case let .string(text): string(text)
        case let .stringConvertible(convertible): string(convertible.description)
        case let .array(values): "[" + values.map(Self.value).joined(separator: ",") + "]"
        case let .dictionary(entries): object(entries.sorted { $0.key < $1.key }.map { ($0.key, Self.value($0.value)) })
        }
    }

    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
