import Synchronization

/// One metric per combination of label values, made once and kept: swift-metrics asks its
/// backend for a handle on every `Counter(label:dimensions:)` (a lock, a lookup and a check
/// of every name), which per request cost more than the count itself. The label values must
/// come from a small set (route templates, statuses, outcomes), never from a request as sent.
public final class MetricFamily<Metric: Sendable>: Sendable {
    private let make: @Sendable ([String]) -> Metric
    private let made = Mutex<[[String]: Metric]>([:])

    /// - Parameter make: the metric for these label values, in the order they are given.
    public init(_ make: @escaping @Sendable ([String]) -> Metric) {
        self.make = make
    }

    /// The metric for these label values.
    public func callAsFunction(_ values: String...) -> Metric {
        if let found = made.withLock({ $0[values] }) { return found }
        let metric = make(values)
        made.withLock { $0[values] = $0[values] ?? metric }
        return metric
    }
}
