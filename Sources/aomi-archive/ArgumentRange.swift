import ArgumentParser

/// A number given on the command line checked against what the command accepts; the error
/// names the flag, the range and the value (`--limit must be 1 to 1000, not 0`). Numeric
/// options parse `.unconditional`ly, so that `--limit -5` reaches this check instead of
/// reading as a missing value.
enum ArgumentRange {
    static func check<Number: Comparable & CustomStringConvertible>(_ value: Number, _ flag: String, _ range: ClosedRange<Number>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
    }
}
