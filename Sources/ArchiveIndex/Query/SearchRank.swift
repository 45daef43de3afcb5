import Foundation
import GRDB
import GRDBSQLite

/// The rank a SQLite search orders its window by: bm25 (k1 1.2, b 0.75, as FTS5's own) in
/// which each word the user typed weighs once, whatever the forms it is searched in, and the
/// filter terms (`SearchScope`) do not weigh at all.
///
/// FTS5's `bm25()` finds each phrase's weight by counting the messages that hold it, a walk
/// of the whole index for every phrase of every query: 70–80% of a search at 1,000,000
/// messages, whatever the rank window. Here the weights come with the query
/// (`aomi_rank(messages_fts, 'n0 n1 …')`, one document count per phrase in FTS5's order):
/// - a query of one typed word, phrase or prefix needs none: every phrase of it gets the same
///   weight, so the order is bm25's order among its forms and lengths;
/// - a query of several gets each word's count from the index's vocabulary (`fts5vocab`,
///   kept by the process until the index changes): the count of its most common form, for a
///   phrase that of its rarest word, for a prefix the sum over its first completions.
///   These are estimates where bm25 would count exactly (phrases, prefixes);
/// - a phrase with count -1 (a filter term, an excluded word) weighs nothing.
enum SearchRank {
    static let functionName = "aomi_rank"
    /// Completions of a prefix summed for its count.
    static let prefixCompletions = 64

    /// Makes `aomi_rank` and the vocabulary table known to a new connection.
    static func register(_ db: Database) throws {
        let api = FTS5.api(db)
        let status = functionName.withCString { name in
            api.pointee.xCreateFunction(UnsafeMutablePointer(mutating: api), name, nil, rankRow, nil)
        }
        guard status == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: status), message: "cannot register \(functionName)") }
        try db.execute(sql: "CREATE VIRTUAL TABLE IF NOT EXISTS temp.messages_vocab USING fts5vocab(main, 'messages_fts', 'row')")
    }
}

/// What `aomi_rank` works out once per query: the average row length and each phrase's
/// weight (0: none).
private final class RankData {
    let averageLength: Double
    let weights: [Double]

    init(averageLength: Double, weights: [Double]) {
        self.averageLength = averageLength
        self.weights = weights
    }
}

/// `aomi_rank(messages_fts, 'counts')` for one row: minus the bm25 score, so lower is better.
private let rankRow: fts5_extension_function = { api, fts, context, argumentCount, arguments in
    guard let api, let fts, let context else { return }
    let phrases = Int(api.pointee.xPhraseCount(fts))
    let data: RankData
    if let kept = api.pointee.xGetAuxdata(fts, 0) {
        data = Unmanaged<RankData>.fromOpaque(kept).takeUnretainedValue()
    } else {
        let text = argumentCount == 1 ? arguments?[0].flatMap(sqlite3_value_text).map { String(cString: $0) } : nil
        let counts = text?.split(separator: " ").compactMap { Int64($0) } ?? []
        guard counts.count == phrases else {
            sqlite3_result_error(context, "\(SearchRank.functionName): \(counts.count) counts for \(phrases) phrases", -1)
            return
        }
        data = rankData(api, fts, counts: counts)
        _ = api.pointee.xSetAuxdata(fts, Unmanaged.passRetained(data).toOpaque()) { Unmanaged<RankData>.fromOpaque($0!).release() }
    }
    var frequencies = [Double](repeating: 0, count: phrases)
    var instances: Int32 = 0
    _ = api.pointee.xInstCount(fts, &instances)
    for instance in 0..<instances {
        var phrase: Int32 = 0
        var column: Int32 = 0
        var offset: Int32 = 0
        if api.pointee.xInst(fts, instance, &phrase, &column, &offset) == SQLITE_OK, Int(phrase) < phrases { frequencies[Int(phrase)] += 1 }
    }
    var length: Int32 = 0
    _ = api.pointee.xColumnSize(fts, -1, &length)
    let (k1, b) = (1.2, 0.75)
    let lengthFactor = k1 * (1 - b + b * Double(length) / data.averageLength)
    var score = 0.0
    for phrase in 0..<phrases where frequencies[phrase] > 0 && data.weights[phrase] > 0 {
        score += data.weights[phrase] * frequencies[phrase] * (k1 + 1) / (frequencies[phrase] + lengthFactor)
    }
    sqlite3_result_double(context, -score)
}

/// The average row length and bm25's inverse document frequency of each count (clamped to a
/// small positive weight as FTS5's is); a negative count weighs nothing.
private func rankData(_ api: UnsafePointer<Fts5ExtensionApi>, _ fts: OpaquePointer, counts: [Int64]) -> RankData {
    var rows: Int64 = 0
    var tokens: Int64 = 0
    _ = api.pointee.xRowCount(fts, &rows)
    _ = api.pointee.xColumnTotalSize(fts, -1, &tokens)
    let weights = counts.map { count -> Double in
        guard count >= 0 else { return 0 }
        let weight = log((Double(rows) - Double(count) + 0.5) / (Double(count) + 0.5))
        return weight > 0 ? weight : 1e-6
    }
    return RankData(averageLength: rows > 0 ? max(1, Double(tokens) / Double(rows)) : 1, weights: weights)
}
