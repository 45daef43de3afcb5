import Foundation

/// Why a file could not be read at all (as opposed to damage inside it, see `WARCDamage`).
public enum WARCReadError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, errno: Int32)
    case notARegularFile(path: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, code):
            return "cannot open \(path): \(String(cString: strerror(code)))"
        case let .notARegularFile(path):
            return "\(path) is not a regular file"
        }
    }
}
