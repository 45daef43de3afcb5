import Hummingbird

/// How the stand-in backend answers pages on other origins, as a public API for browser
/// widgets does: the web widget runs on the dApp's own origin and calls the backend with
/// `fetch`, custom headers (`X-Session-Id`, `X-API-Key`) and a streamed `/api/updates`.
/// Preflights get the methods and the headers asked for; every answer to an allowed origin
/// carries `Access-Control-Allow-Origin` (`*` when any origin is allowed, the default).
public struct SimulatorCORS: Sendable, Equatable {
    /// The origins allowed, compared without regard to case; nil: any.
    public var origins: [String]?

    public init(origins: [String]? = nil) {
        self.origins = origins.flatMap { $0.isEmpty || $0.contains("*") ? nil : $0 }
    }

    /// `Access-Control-Allow-Origin` for a request from `origin`, nil when it is not allowed.
    func allowedOrigin(_ origin: String) -> String? {
        guard let origins else { return "*" }
        return origins.contains { $0.lowercased() == origin.lowercased() } ? origin : nil
    }

    static let methods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    static let headers = "Content-Type, X-Session-Id, X-API-Key, AOMI-APP-KEY, Accept, Last-Event-ID"
}

/// Applies `SimulatorCORS`: answers preflights itself, adds the CORS fields to every other
/// answer to an allowed origin (error answers included).
struct SimulatorCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let cors: SimulatorCORS

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = cors.allowedOrigin(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers: HTTPFields = [.contentLength: "0"]
            if let allowed {
                headers[.accessControlAllowOrigin] = allowed
                headers[.accessControlAllowMethods] = SimulatorCORS.methods
                headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? SimulatorCORS.headers
                headers[.accessControlMaxAge] = "600"
            }
            if cors.origins != nil { headers[.vary] = "Origin" }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if let allowed {
            response.headers[.accessControlAllowOrigin] = allowed
            if cors.origins != nil { response.headers[.vary] = "Origin" }
        }
        return response
    }
}
