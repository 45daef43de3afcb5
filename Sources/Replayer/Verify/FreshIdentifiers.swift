import AomiAPI
import AomiArchive
import Foundation

/// New values for every identifier a real re-run of a client makes anew (session ids,
/// `client_id`s, transaction hashes, signatures), one per recorded value, and the rewrite
/// that puts them in place of the recorded ones: in the requests `verify --fresh-ids` sends
/// and in the answers it expects.
struct FreshIdentifiers: Sendable {
    let rewrite: SessionRewrite

    init(archive: RecordedArchive, rules: MatchRules = MatchRules()) {
        var recorded = Set(archive.sessions.map(\.id).filter { !$0.isEmpty })
        for session in archive.sessions {
            for exchange in session.exchanges {
                recorded.formUnion(rules.volatileValues(target: exchange.request.target, body: exchange.request.body).values.filter { !$0.isEmpty })
            }
        }
        rewrite = SessionRewrite(recorded.sorted { ($0.count, $0) > ($1.count, $1) }.map { (recorded: $0, client: Self.fresh(like: $0)) })
    }

    /// A new value of the same kind: hex of the same length for `0x…` values, a UUID otherwise.
    static func fresh(like value: String) -> String {
        guard value.hasPrefix("0x") else { return UUID().uuidString.lowercased() }
        var generator = SystemRandomNumberGenerator()
        return "0x" + String((0..<(value.count - 2)).map { _ in "0123456789abcdef".randomElement(using: &generator)! })
    }
}
