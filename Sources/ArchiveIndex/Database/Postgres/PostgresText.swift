/// Values as PostgreSQL text takes them.
enum PostgresText {
    /// `text` with each NUL (which no PostgreSQL text can hold) replaced by U+2400 SYMBOL FOR
    /// NULL, `␀`: a JSON `\u0000` in a message or a NUL in a hostile header is kept visible
    /// instead of refusing the whole batch.
    static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(text.unicodeScalars.map { $0 == "\0" ? "\u{2400}" : Character($0) })
    }

    static func storable(_ text: String?) -> String? {
        text.map(storable)
    }

    /// A `text[]` literal of `values`, each quoted: `{"a","b\"c"}`.
    static func arrayLiteral(_ values: [String]) -> String {
        "{" + values.map { "\"" + storable($0).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }
}
