import AomiAPI
import HTTPServing
import Hummingbird

/// Responses with JSON bodies, encoded the one way (`JSONCoding`).
enum JSONResponse {
    static func ok(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        .json(JSONCoding.encode(value), status: status)
    }

    static func error(_ error: APIError) -> Response {
        ok(error, status: HTTPResponse.Status(code: error.status))
    }
}

/// Turns every error into the documented JSON error body, including unknown routes (404).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return JSONResponse.error(error)
        } catch let error as HTTPError {
            let message = error.status == .notFound ? "no route for \(request.method) \(request.uri.path)" : error.status.reasonPhrase
            return JSONResponse.error(APIError(status: Int(error.status.code), message))
        }
    }
}
