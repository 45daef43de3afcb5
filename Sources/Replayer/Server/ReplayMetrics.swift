import AomiAPI
import Metrics

/// What the replay counts for `GET /metrics`, through swift-metrics. The names and labels are
/// documented in `docs/operations.md`.
enum ReplayMetrics {
    /// A request answered from the recording (or passed to the fallback), by what answered it:
    /// `hit`, `miss`, `rejected` (wrong App key) or `fallback` (a miss passed to the fallback,
    /// whose status the replay does not see: it is counted by outcome only).
    static func answered(method: String, target: String, status: Int?, outcome: String) {
        Counter(label: "aomi_archive_replay_answers_total", dimensions: [("outcome", outcome)]).increment()
        guard let status else { return }
        Counter(
            label: "aomi_archive_replay_exchanges_total",
            dimensions: [("method", RouteTemplate.method(method)), ("route", RouteTemplate.of(target)), ("status", String(status))]
        ).increment()
    }

    /// A fresh client session id bound to a recorded session.
    static func aliased() {
        Counter(label: "aomi_archive_replay_aliases_total").increment()
    }
}
