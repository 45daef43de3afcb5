/// Text as both stores keep it.
enum IndexText {
    /// `text` with each NUL replaced by U+2400 SYMBOL FOR NULL, `␀`. PostgreSQL text cannot
    /// hold NUL, and SQLite (through GRDB, which binds text as a C string) kept a message only
    /// up to it; a JSON `\u0000` in a message is kept visible instead, and the rest of the
    /// message with it.
    static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(text.unicodeScalars.map { $0 == "\0" ? "\u{2400}" : Character($0) })
    }

    static func storable(_ text: String?) -> String? {
        text.map(storable)
    }

    /// A PostgreSQL `text[]` literal of `values`, each quoted: `{"a","b\"c"}`.
    static func arrayLiteral(_ values: [String]) -> String {
        "{" + values.map { "\"" + storable($0).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }
}
