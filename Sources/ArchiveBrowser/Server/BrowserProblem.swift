import HTTPTypes

/// A request the browser cannot answer with a page: a wallet, session or exchange it does not
/// know (404), a parameter it cannot take (400), a missing or wrong access token (401). Shown as a page saying so.
struct BrowserProblem: Error {
    let status: HTTPResponse.Status
    let message: String

    static func notFound(_ message: String) -> BrowserProblem { BrowserProblem(status: .notFound, message: message) }
    static func badRequest(_ message: String) -> BrowserProblem { BrowserProblem(status: .badRequest, message: message) }
}

/// A failure as JSON (`?format=json`): what is wrong and the HTTP status.
struct BrowserFailure: Encodable {
    let error: String
    let status: Int
}
