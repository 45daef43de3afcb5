/// A request path as a route of the API (`/api/sessions/{id}`, not the id): what metrics are
/// labelled with. Only the API's own routes are named; any other path is `other`, so a client
/// that sends random paths cannot make the number of series grow.
public enum RouteTemplate {
    /// The label of any path that is not a route of the API.
    public static let other = "other"

    /// The route `target` (a path, with or without its query) belongs to.
    public static func of(_ target: String) -> String {
        let path = QueryString.path(of: target)
        if fixed.contains(path) { return path }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].isEmpty, parts[1] == "api", parts.dropFirst().allSatisfy({ !$0.isEmpty }) else {
            return other
        }
        switch (parts[2], parts.count) {
        case ("sessions", 4): return "/api/sessions/{id}"
        case ("sessions", 5) where sessionActions.contains(String(parts[4])): return "/api/sessions/{id}/\(parts[4])"
        case ("secrets", 4): return "/api/secrets/{name}"
        case ("control", 5) where parts[3] == "provider-keys": return "/api/control/provider-keys/{provider}"
        default: return other
        }
    }

    /// The method as a label: the HTTP methods by name, anything else `other`.
    public static func method(_ method: String) -> String {
        methods.contains(method) ? method : other
    }

    private static let methods: Set<String> = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]

    private static let fixed: Set<String> = [
        AomiPath.sessions, AomiPath.chat, AomiPath.state, AomiPath.interrupt, AomiPath.updates, AomiPath.system, AomiPath.events,
        AomiPath.secrets, AomiPath.simulate, AomiPath.model, AomiPath.models, AomiPath.apps, AomiPath.providerKeys, "/metrics",
        "/_recorder/health",
    ]

    private static let sessionActions: Set<String> = ["archive", "unarchive", "title"]
}
