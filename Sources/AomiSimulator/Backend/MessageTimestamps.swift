import Foundation

/// How the stand-in backend stamps its messages: in which form, and how far in the past (a
/// conversation dated days ago, as a crawl of old chats finds it).
public struct MessageTimestamps: Sendable, Equatable {
    /// The forms a backend may send a message's `timestamp` in.
    public enum Form: String, Sendable, CaseIterable {
        /// `2026-11-29T19:47:07Z` (whole seconds).
        case iso8601
        /// `2026-11-29T19:47:07.316932+00:00` (chrono's RFC 3339 with microseconds).
        case rfc3339Micros = "rfc3339-micros"
        /// `"1795981627316"`: Unix time in milliseconds, as digits.
        case unixMillis = "unix-ms"
        /// No timestamp at all (`null`).
        case none
    }

    public var form: Form
    /// How long ago the conversation is dated: each timestamp is the clock minus this.
    public var age: Duration

    public init(form: Form = .iso8601, age: Duration = .zero) {
        self.form = form
        self.age = age
    }

    /// The timestamp of a message made now.
    func stamp(now: Date = Date()) -> String? {
        let seconds = Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
        let date = now.addingTimeInterval(-seconds)
        switch form {
        case .iso8601:
            return ISO8601DateFormatter().string(from: date)
        case .rfc3339Micros:
            let whole = ISO8601DateFormatter().string(from: date).dropLast()
            let micros = Int((date.timeIntervalSince1970 * 1_000_000).rounded()) % 1_000_000
            return whole + "." + String(format: "%06d", micros) + "+00:00"
        case .unixMillis:
            return String(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        case .none:
            return nil
        }
    }
}
