import Foundation

/// A `WARC-Date`: a UTC instant written as ISO 8601 with microseconds
/// (`2026-11-26T22:39:12.123456Z`), which WARC 1.1 allows and which orders SSE events
/// that arrive within the same second.
public struct WARCDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public let microsecondsSince1970: Int64

    public init(microsecondsSince1970: Int64) {
        self.microsecondsSince1970 = microsecondsSince1970
    }

    /// The instant of `date`, held within what 64 bits of microseconds reach (about 292,000
    /// years either way); a date that is not a number is the epoch.
    public init(_ date: Date) {
        let microseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard microseconds.isFinite else {
            self.microsecondsSince1970 = microseconds.isNaN ? 0 : (microseconds > 0 ? .max : .min)
            return
        }
        self.microsecondsSince1970 = microseconds >= 9.2e18 ? .max : microseconds <= -9.2e18 ? .min : Int64(microseconds)
    }

    public static func now() -> WARCDate {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return WARCDate(microsecondsSince1970: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }

    public var date: Date {
        Date(timeIntervalSince1970: Double(microsecondsSince1970) / 1_000_000)
    }

    /// The form written in `WARC-Date`, always with six fraction digits.
    public var description: String {
        let (seconds, micros) = Self.split(microsecondsSince1970)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civilDate(daysSince1970: days)
        guard (0...9999).contains(year) else { return Self.civilString(seconds: seconds) + "." + Self.pad(micros, width: 6) + "Z" }
        // `YYYY-MM-DDThh:mm:ss.ffffffZ` written into one buffer: every record has dates.
        return String(unsafeUninitializedCapacity: 27) { buffer in
            var position = 0
            func put(_ value: Int64, _ width: Int) {
                var rest = value
                for index in stride(from: position + width - 1, through: position, by: -1) {
                    buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                position += width
            }
            func mark(_ character: Unicode.Scalar) {
                buffer[position] = UInt8(ascii: character)
                position += 1
            }
            put(year, 4)
            mark("-")
            put(month, 2)
            mark("-")
            put(day, 2)
            mark("T")
            put(secondOfDay / 3600, 2)
            mark(":")
            put(secondOfDay % 3600 / 60, 2)
            mark(":")
            put(secondOfDay % 60, 2)
            mark(".")
            put(micros, 6)
            mark("Z")
            return position
        }
    }

    /// The form with whole seconds only, as in file names (`20261126T223912Z`).
    public var compactString: String {
        let (seconds, _) = Self.split(microsecondsSince1970)
        return Self.civilString(seconds: seconds).filter { $0 != "-" && $0 != ":" } + "Z"
    }

    /// Parses `YYYY-MM-DDThh:mm:ss[.fraction]Z`, and the shorter forms WARC 1.1 allows
    /// (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mmZ`).
    public init?(parsing text: String) {
        guard let micros = Self.parse(Array(text.utf8)) else { return nil }
        self.microsecondsSince1970 = micros
    }

    public static func < (lhs: WARCDate, rhs: WARCDate) -> Bool {
        lhs.microsecondsSince1970 < rhs.microsecondsSince1970
    }

    private static func split(_ micros: Int64) -> (Int64, Int64) {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        return (seconds, micros - seconds * 1_000_000)
    }

    private static func civilString(seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSince1970: days)
        return pad(year, width: 4) + "-" + pad(month, width: 2) + "-" + pad(day, width: 2) + "T"
            + pad(secondOfDay / 3600, width: 2) + ":" + pad(secondOfDay % 3600 / 60, width: 2) + ":"
            + pad(secondOfDay % 60, width: 2)
    }

    private static func pad(_ value: Int64, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civilDate(daysSince1970: Int64) -> (Int64, Int64, Int64) {
        let z = daysSince1970 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// A proleptic Gregorian date to days since 1970-01-01.
    public static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func parse(_ bytes: [UInt8]) -> Int64? {
        var index = 0
        func number(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += count
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4) else { return nil }
        var month: Int64 = 1
        var day: Int64 = 1
        var hour: Int64 = 0
        var minute: Int64 = 0
        var second: Int64 = 0
        var micros: Int64 = 0
        if expect(UInt8(ascii: "-")) {
            guard let m = number(2), (1...12).contains(m) else { return nil }
            month = m
            if expect(UInt8(ascii: "-")) {
                guard let d = number(2), (1...31).contains(d) else { return nil }
                day = d
                if expect(UInt8(ascii: "T")) {
                    guard let h = number(2), h < 24, expect(UInt8(ascii: ":")), let mi = number(2), mi < 60 else { return nil }
                    hour = h
                    minute = mi
                    if expect(UInt8(ascii: ":")) {
                        guard let s = number(2), s <= 60 else { return nil }
                        second = s
                        if expect(UInt8(ascii: ".")) {
                            var digits = 0
                            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                                if digits < 6 { micros = micros * 10 + Int64(bytes[index] - 0x30) }
                                digits += 1
                                index += 1
                            }
                            guard digits > 0 else { return nil }
                            for _ in digits..<max(digits, 6) { micros *= 10 }
                        }
                    }
                    guard expect(UInt8(ascii: "Z")) else { return nil }
                }
            }
        }
        guard index == bytes.count else { return nil }
        let days = daysSince1970(year: year, month: month, day: day)
        return ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000) + micros
    }
}
