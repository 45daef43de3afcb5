import ArgumentParser

/// A duration on the command line: a number and a unit, `ms`, `s`, `m`, `h` or `d` (`200ms`,
/// `30s`, `1.5s`, `2m`, `10d`), from 0 to 3650 days. A bare number is refused, so no one
/// guesses the unit, and so is a longer duration (it would not fit the clocks' arithmetic).
struct DurationArgument: ExpressibleByArgument, CustomStringConvertible, Sendable {
    let duration: Duration
    let text: String

    /// The longest duration taken: ten years, in milliseconds.
    static let maximumMilliseconds = 3650.0 * 86_400_000

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (unit, milliseconds) in units where argument.hasSuffix(unit) {
            guard let value = Double(argument.dropLast(unit.count)), value >= 0, value.isFinite else { continue }
            guard value * milliseconds <= Self.maximumMilliseconds else { return nil }
            duration = .milliseconds(Int64(value * milliseconds))
            text = argument
            return
        }
        return nil
    }

    init(_ text: String) {
        self.init(argument: text)!
    }

    var description: String { text }
    var isZero: Bool { duration == .zero }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A size on the command line: a number and a unit, `B`, `KiB`, `MiB` or `GiB` (`256MiB`,
/// `32KiB`). A bare number is refused, so no one guesses the unit.
struct SizeArgument: ExpressibleByArgument, CustomStringConvertible, Sendable {
    let bytes: Int64
    let text: String

    init?(argument: String) {
        let units: [(String, Int64)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]
        for (unit, multiplier) in units where argument.hasSuffix(unit) {
            guard let value = Int64(argument.dropLast(unit.count)), value >= 0, value <= Int64.max / multiplier else { return nil }
            bytes = value * multiplier
            text = argument
            return
        }
        return nil
    }

    init(_ text: String) {
        self.init(argument: text)!
    }

    var description: String { text }
}
