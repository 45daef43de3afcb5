import WARC

/// A message's own time in the conversation, read from its `timestamp` in the forms a
/// backend sends, and written in the `WARC-Date` form the index compares
/// (`2026-11-29T19:47:07.000000Z`). Where a message has no timestamp, or one in no known form,
/// the index uses the time a recording first held the message instead.
///
/// Known forms:
/// - RFC 3339 / ISO 8601: `2026-11-29T19:47:07Z`, with a fraction of any length, an offset
///   (`+01:00`, `+0100`, `+01`), `T` or a space between date and time, and no zone
///   (taken as UTC, as chrono's naive times are);
/// - Unix time as digits, in seconds, milliseconds, microseconds or nanoseconds (told apart by
///   size), with an optional fraction, as a string or a JSON number;
/// - RFC 2822 / HTTP dates: `Sun, 29 Nov 2026 19:47:07 GMT` (JavaScript's `toUTCString`).
///
/// Times before 1990 or after 2200 are taken as no time: they are a backend's placeholder or a
/// unit misread, never a chat.
enum ConversationTime {
    static func parse(_ text: String) -> String? {
        let bytes = Array(text.utf8.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed())
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        let micros = iso8601(bytes) ?? unixTime(bytes) ?? rfc2822(bytes)
        guard let micros, plausible ~= micros else { return nil }
        return WARCDate(microsecondsSince1970: micros).description
    }

    /// 1990-01-01 to 2200-01-01, in microseconds.
    private static let plausible: ClosedRange<Int64> = 631_152_000_000_000...7_258_118_400_000_000

    // MARK: ISO 8601

    private static func iso8601(_ bytes: [UInt8]) -> Int64? {
        var cursor = Cursor(bytes)
        guard let year = cursor.digits(4), cursor.take("-"), let month = cursor.digits(2), cursor.take("-"), let day = cursor.digits(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = WARCDate.daysSince1970(year: year, month: month, day: day) * 86_400
        var micros: Int64 = 0
        if cursor.take("T") || cursor.take("t") || cursor.take(" ") {
            guard let hour = cursor.digits(2), hour < 24, cursor.take(":"), let minute = cursor.digits(2), minute < 60 else { return nil }
            seconds += hour * 3600 + minute * 60
            if cursor.take(":") {
                guard let second = cursor.digits(2), second <= 60 else { return nil }
                seconds += second
                if cursor.take(".") || cursor.take(",") {
                    guard let fraction = cursor.fractionMicros() else { return nil }
                    micros = fraction
                }
            }
            _ = cursor.take(" ")
            guard let offset = cursor.zoneOffsetSeconds() else { return nil }
            seconds -= offset
        }
        guard cursor.atEnd else { return nil }
        return seconds * 1_000_000 + micros
    }

    // MARK: Unix time

    private static func unixTime(_ bytes: [UInt8]) -> Int64? {
        var cursor = Cursor(bytes)
        var integerDigits = 0
        var whole: Int64 = 0
        while let digit = cursor.digit() {
            guard integerDigits < 19 else { return nil }
            whole = whole * 10 + digit
            integerDigits += 1
        }
        guard integerDigits > 0 else { return nil }
        var fraction: Int64 = 0
        if cursor.take(".") {
            guard let micros = cursor.fractionMicros() else { return nil }
            fraction = micros
        }
        guard cursor.atEnd else { return nil }
        switch whole {
        case ..<100_000_000_000: return whole * 1_000_000 + fraction
        case ..<100_000_000_000_000: return whole * 1_000 + fraction / 1_000
        case ..<100_000_000_000_000_000: return whole
        default: return whole / 1_000
        }
    }

    // MARK: RFC 2822

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `[Day, ]DD Mon YYYY hh:mm[:ss] zone`, the zone `GMT`, `UT`, `UTC`, `Z` or `±hhmm`.
    private static func rfc2822(_ bytes: [UInt8]) -> Int64? {
        var words = String(decoding: bytes, as: UTF8.self).lowercased().split(separator: " ").map(String.init)
        if let first = words.first, first.hasSuffix(",") { words.removeFirst() }
        guard words.count == 5, let day = Int64(words[0]), (1...31).contains(day), let month = months.firstIndex(of: String(words[1].prefix(3))),
            let year = Int64(words[2]), words[2].count == 4
        else { return nil }
        let clock = words[3].split(separator: ":").map { Int64($0) }
        guard clock.count == 2 || clock.count == 3, let hour = clock[0], let minute = clock[1], hour < 24, minute < 60 else { return nil }
        let second = clock.count == 3 ? clock[2] : 0
        guard let second, second <= 60 else { return nil }
        var zone = Cursor(Array(words[4].uppercased().utf8))
        guard let offset = zone.zoneOffsetSeconds(), zone.atEnd else { return nil }
        let seconds = WARCDate.daysSince1970(year: year, month: Int64(month + 1), day: day) * 86_400 + hour * 3600 + minute * 60 + second
        return (seconds - offset) * 1_000_000
    }
}

/// Reads a time's bytes left to right.
private struct Cursor {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    mutating func digit() -> Int64? {
        guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { return nil }
        index += 1
        return Int64(bytes[index - 1] - 0x30)
    }

    mutating func digits(_ count: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<count {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// The digits of a fraction of a second as microseconds (digits past the sixth dropped).
    mutating func fractionMicros() -> Int64? {
        var micros: Int64 = 0
        var count = 0
        while let digit = digit() {
            if count < 6 { micros = micros * 10 + digit }
            count += 1
        }
        guard count > 0 else { return nil }
        for _ in min(count, 6)..<6 { micros *= 10 }
        return micros
    }

    /// A zone at the end: none or `Z`/`UTC`/`GMT`/`UT` (0), or `±hh`, `±hhmm`, `±hh:mm`.
    mutating func zoneOffsetSeconds() -> Int64? {
        if atEnd { return 0 }
        for name in ["Z", "z", "UTC", "GMT", "UT"] where Array(bytes[index...]) == Array(name.utf8) {
            index = bytes.count
            return 0
        }
        let sign: Int64
        if take("+") {
            sign = 1
        } else if take("-") {
            sign = -1
        } else {
            return nil
        }
        guard let hours = digits(2), hours <= 18 else { return nil }
        _ = take(":")
        let minutes = atEnd ? 0 : digits(2)
        guard let minutes, minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}
