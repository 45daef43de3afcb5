/// `GET /metrics`: the process's metrics as a monitoring system scrapes them. The servers
/// answer it on their own listener, read-only, never forwarded or recorded; what it says is
/// rendered by whoever made the endpoint (`Telemetry.PrometheusMetrics`), so no server module
/// depends on the exposition format.
public struct MetricsEndpoint: Sendable {
    /// The path every server answers it on.
    public static let path = "/metrics"
    /// The Prometheus text format, version 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The current metrics, as the body of the answer.
    public let render: @Sendable () -> [UInt8]

    public init(render: @escaping @Sendable () -> [UInt8]) {
        self.render = render
    }
}
