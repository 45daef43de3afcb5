/// The JSON body of every error response: `{"error": "…", "status": 400}`.
public struct APIError: Sendable, Hashable, Codable, Error {
    public var error: String
    public var status: Int

    public init(status: Int, _ message: String) {
        self.status = status
        self.error = message
    }
}
