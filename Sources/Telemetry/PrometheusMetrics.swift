import CoreMetrics
import HTTPServing
import Prometheus
import Synchronization

/// The process's metrics backend: swift-prometheus's registry behind swift-metrics, so the
/// modules count through swift-metrics (`Counter`, `Timer`, `Meter`) and `GET /metrics`
/// renders the registry in the Prometheus text format. swift-metrics takes one backend per
/// process: the first `bootstrap()` installs it, later calls return the same endpoint.
public enum PrometheusMetrics {
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Upstream and replay latencies: 1 ms to 30 s.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// A name the text format accepts: Hummingbird names its metrics `hb.requests` and
    /// `http.request.method`, which become `hb_requests` and `http_request_method`.
    static func sanitized(_ name: String) -> String {
        // Every name and label of ours is already valid: checked on its bytes, without a copy.
        if isValid(name) { return name }
        var out = String(
            name.unicodeScalars.map { scalar in
                (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")) ? Character(scalar) : "_"
            })
        if let first = out.first, first.isNumber { out = "_" + out }
        return out
    }

    /// True when `name` is `[A-Za-z_][A-Za-z0-9_]*`.
    private static func isValid(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard let first = bytes.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
            return bytes.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            }
        }
    }

    /// Installs the Prometheus backend (once per process) and returns the endpoint that renders it.
    public static func bootstrap() -> MetricsEndpoint {
        let registry = installed.withLock { installed in
            if let installed { return installed }
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.defaultDurationHistogramBuckets = durationBuckets
            factory.nameAndLabelSanitizer = { name, labels in (sanitized(name), labels.map { (sanitized($0.0), $0.1) }) }
            MetricsSystem.bootstrap(factory)
            installed = registry
            return registry
        }
        return MetricsEndpoint { registry.emitToBuffer() }
    }
}
