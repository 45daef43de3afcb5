import Crypto
import Foundation
import HTTPServing
import HTTPTypes
import Hummingbird
import Logging

/// Around every request: the `Host` (one that does not name the server gets 403: DNS
/// rebinding), the access token when one is set, the security headers (a strict
/// Content-Security-Policy: no script, styles from the browser's own stylesheet only), and
/// failures turned into pages that say what is wrong, never a stack or a 500 for bad input.
struct BrowserMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?
    let hosts: HostPolicy
    let logger: Logger
    /// When the index was last brought up to date, for the footer of the pages made here.
    let indexedAt: @Sendable () -> String?

    static var cookieName: String { "aomi_archive_token" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        var setCookie = false
        if let host = request.head.authority, !hosts.allows(host) {
            let message = hosts.refusal(host)
            logger.warning("403: \(request.method) \(request.uri.path.prefix(100)): \(message)")
            response = problem(message, title: "Not this server", status: .forbidden, request, indexed: nil, showsIndex: false)
        } else if let token, !authorized(request, token: token, setCookie: &setCookie) {
            response = problem(
                "This browser is served beyond loopback: open it with ?token=… once (then a cookie keeps it).", title: "Access token needed",
                status: .unauthorized, request, indexed: nil, showsIndex: false)
        } else {
            response = await answer(request, context: context, next: next)
        }
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if setCookie, let token {
            response.headers[.setCookie] = "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
        }
        return response
    }

    private func answer(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async -> Response {
        do {
            return try await next(request, context)
        } catch let failure as BrowserProblem {
            return problem(failure.message, title: "Not here", status: failure.status, request, indexed: indexedAt())
        } catch let error as HTTPError {
            let message = error.status == .notFound ? "No page at \(request.uri.path.prefix(200))." : error.status.reasonPhrase
            return problem(message, title: "Not here", status: error.status, request, indexed: indexedAt())
        } catch {
            logger.error("\(request.method) \(request.uri.path): \(error)")
            return problem("This page could not be made: \(error)", title: "Error", status: .internalServerError, request, indexed: indexedAt())
        }
    }

    /// A failure as the client asked for pages: `{"error": …, "status": …}` with
    /// `?format=json`, otherwise a page saying what is wrong.
    private func problem(_ message: String, title: String, status: HTTPResponse.Status, _ request: Request, indexed: String?, showsIndex: Bool = true) -> Response {
        if BrowserRoutes.parameter("format", of: request) == "json" {
            return BrowserResponse.json(BrowserFailure(error: message, status: status.code), status: status)
        }
        return BrowserResponse.page(Pages.problem(message, heading: title), title: title, indexed: indexed, showsIndex: showsIndex, status: status)
    }

    /// The token from `Authorization: Bearer`, the cookie, or `?token=` (which sets the cookie).
    private func authorized(_ request: Request, token: String, setCookie: inout Bool) -> Bool {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "), Self.same(String(header.dropFirst(7)), token) { return true }
        for cookie in request.headers[values: .cookie].flatMap({ $0.split(separator: ";") }) {
            let parts = cookie.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == Self.cookieName, Self.same(String(parts[1]), token) { return true }
        }
        if let given = BrowserRoutes.parameter("token", of: request), Self.same(given, token) {
            setCookie = true
            return true
        }
        return false
    }

    /// Compares digests, so the time taken says nothing about the token.
    private static func same(_ given: String, _ token: String) -> Bool {
        SHA256.hash(data: Data(given.utf8)) == SHA256.hash(data: Data(token.utf8))
    }
}
