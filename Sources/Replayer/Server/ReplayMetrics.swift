import AomiAPI
import HTTPServing
import Metrics

/// What the replay counts for `GET /metrics`, through swift-metrics. The names and labels are
/// documented in `docs/operations.md`.
enum ReplayMetrics {
    /// A request answered from the recording (or passed to the fallback), by what answered it:
    /// `hit`, `miss`, `rejected` (wrong App key) or `fallback` (a miss passed to the fallback,
    /// whose status the replay does not see: it is counted by outcome only).
    static func answered(method: String, target: String, status: Int?, outcome: String) {
        answers(outcome).increment()
        guard let status else { return }
        exchanges(RouteTemplate.method(method), RouteTemplate.of(target), String(status)).increment()
    }

    private static let answers = MetricFamily { Counter(label: "aomi_archive_replay_answers_total", dimensions: [("outcome", $0[0])]) }
    private static let exchanges = MetricFamily {
        Counter(label: "aomi_archive_replay_exchanges_total", dimensions: [("method", $0[0]), ("route", $0[1]), ("status", $0[2])])
    }

    /// A fresh client session id bound to a recorded session.
    static func aliased() {
        Counter(label: "aomi_archive_replay_aliases_total").increment()
    }
}
