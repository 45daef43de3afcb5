/// Filters as words of the full-text index: each message's `scope` column holds
/// `w<wallet> s<session>`, so that "in this wallet" is one more term FTS5 intersects with the
/// query instead of a join over every match. The sender is not one: a term in half of all
/// messages made bm25 count half the index for every query (the sender is a SQL condition).
enum SearchScope {
    static func tokens(wallet: String?, session: String) -> String {
        [wallet.map { "w" + token($0) }, "s" + token(session)].compactMap { $0 }.joined(separator: " ")
    }

    /// ASCII letters and digits only, lower-cased (what the unicode61 tokenizer keeps as one word).
    static func token(_ value: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"): bytes.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte + 32)
            default: continue
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The FTS5 expression for a compiled query over the content column, narrowed to the
    /// wallet and session of `filters` by their scope words.
    /// With `alternative`, a message of a wallet that the query's hex word begins also
    /// matches when it holds the rest of the query (`ParsedQuery.walletAlternative`).
    static func expression(content: String, alternative: ParsedQuery.WalletAlternative? = nil, _ filters: QueryFilters) -> String {
        var scope: [String] = []
        if let wallet = filters.wallet { scope.append("w" + token(wallet) + (wallet.count == 42 ? "" : "*")) }
        if let session = filters.session { scope.append("s" + token(session)) }
        var expression = "{content} : (\(content))"
        if let alternative {
            let walletTerm = "{scope} : (w\(token(alternative.prefix))*)"
            let rest = alternative.rest.flatMap { try? $0.inflected.fts5() }
            expression = "(\(expression) OR " + (rest.map { "({content} : (\($0)) AND \(walletTerm))" } ?? walletTerm) + ")"
        }
        guard !scope.isEmpty else { return expression }
        return expression + " AND {scope} : (" + scope.joined(separator: " AND ") + ")"
    }
}
