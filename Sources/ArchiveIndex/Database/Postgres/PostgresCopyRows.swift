/// Rows for one `COPY … FROM STDIN`, written in COPY's text format as they are added (tabs
/// between values, a newline after each row, `\N` for NULL, `\\`, `\t`, `\n`, `\r` escaped),
/// so that a bulk load builds no string per value.
public struct PostgresCopyRows {
    /// What a NUL in a value, which no PostgreSQL text can hold, does.
    public enum NULHandling: Sendable {
        /// The value is refused (`append` returns false).
        case refuse
        /// It becomes `␀` (U+2400), as `IndexText.storable` stores it.
        case replaceWithSymbol
    }

    public let columns: [String]
    let nul: NULHandling
    private(set) var data: [UInt8] = []
    public private(set) var count = 0
    private var valuesInRow = 0

    public init(columns: [String], nul: NULHandling = .replaceWithSymbol) {
        self.columns = columns
        self.nul = nul
    }

    public var isEmpty: Bool { count == 0 }

    /// Adds the next value of the current row; false when it holds a NUL that is refused.
    @discardableResult
    public mutating func append(_ value: String?) -> Bool {
        separate()
        guard let value else {
            data += [0x5C, 0x4E]
            return true
        }
        guard value.utf8.contains(where: Self.needsEscape) else {
            data.append(contentsOf: value.utf8)
            return true
        }
        for byte in value.utf8 {
            switch byte {
            case 0:
                guard nul == .replaceWithSymbol else { return false }
                data += [0xE2, 0x90, 0x80]
            case 0x5C: data += [0x5C, 0x5C]
            case 0x09: data += [0x5C, 0x74]
            case 0x0A: data += [0x5C, 0x6E]
            case 0x0D: data += [0x5C, 0x72]
            default: data.append(byte)
            }
        }
        return true
    }

    /// Adds the next value of the current row, a number.
    public mutating func append<Number: BinaryInteger>(_ value: Number?) {
        separate()
        guard let value else {
            data += [0x5C, 0x4E]
            return
        }
        var digits: [UInt8] = []
        var magnitude = value.magnitude
        repeat {
            digits.append(0x30 + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        if value < 0 { data.append(0x2D) }
        data.append(contentsOf: digits.reversed())
    }

    /// Ends the current row; false when it does not have one value per column.
    @discardableResult
    public mutating func endRow() -> Bool {
        let whole = valuesInRow == columns.count
        data.append(0x0A)
        valuesInRow = 0
        count += 1
        return whole
    }

    private mutating func separate() {
        if valuesInRow > 0 { data.append(0x09) }
        valuesInRow += 1
    }

    /// NUL, backslash, tab, newline and carriage return: the bytes COPY's text format spells otherwise.
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte <= 0x0D && (byte == 0 || byte == 0x09 || byte == 0x0A || byte == 0x0D) || byte == 0x5C
    }
}
