import Foundation

/// Why a record could not be written; each case names the file and the failed step.
public enum WARCWriterError: Error, Sendable, CustomStringConvertible {
    /// zlib refused to compress (out of memory, bad level).
    case compression(status: Int32, detail: String)
    /// A system call on an archive file or folder failed.
    case io(path: String, operation: String, errno: Int32)
    /// The writer was closed and takes no more records.
    case closed(directory: String)

    /// Whether the process (or the system) has no descriptor left: closing another file helps.
    public var isOutOfDescriptors: Bool {
        if case let .io(_, _, code) = self { return code == EMFILE || code == ENFILE }
        return false
    }

    /// The cause without the file: the same for every record a full disk refuses, so that a
    /// caller can report it once and a client can be told it without learning paths.
    public var cause: String {
        switch self {
        case .compression: return "gzip compression failed"
        case let .io(_, operation, code):
            let verb = operation.split(separator: " ").first.map(String.init) ?? operation
            return "\(verb) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .closed: return "the archive file was closed"
        }
    }

    public var description: String {
        switch self {
        case let .compression(status, detail):
            return "gzip compression failed (zlib status \(status)): \(detail)"
        case let .io(path, operation, code):
            return "\(operation) failed for \(path): \(String(cString: strerror(code))) (errno \(code))"
        case let .closed(directory):
            return "the WARC writer for \(directory) is closed"
        }
    }
}
