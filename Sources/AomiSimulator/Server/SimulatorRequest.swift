import AomiAPI
import HTTPTypes
import Hummingbird

/// What the handlers read from a request: the session header, query parameters, app keys, a JSON body.
extension Request {
    /// The `X-Session-Id` header; a missing one is the documented 400.
    func requireSessionID() throws(APIError) -> String {
        guard let id = headers[HTTPField.Name(AomiHeader.sessionID)!], !id.isEmpty else {
            throw APIError(status: 400, "missing \(AomiHeader.sessionID) header")
        }
        return id
    }

    /// A query parameter, form-decoded as the real client encodes it (`URLSearchParams`: `+`
    /// is a space, `%2B` a plus); Hummingbird's `queryParameters` only percent-decodes.
    func query(_ name: String) -> String? {
        QueryString.value(name, in: uri.description)
    }

    func requireQuery(_ name: String) throws(APIError) -> String {
        guard let value = query(name), !value.isEmpty else {
            throw APIError(status: 400, "missing query parameter \(name)")
        }
        return value
    }

    /// The App key in either header the clients use.
    var appKey: String? {
        headers[HTTPField.Name(AomiHeader.appKey)!] ?? headers[HTTPField.Name(AomiHeader.apiKey)!]
    }

    /// The body parsed as JSON; nil for an empty body, 400 for a malformed one, 413 over `limit`.
    func jsonBody(limit: Int) async throws -> JSONValue? {
        var request = self
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw APIError(status: 413, "request body over \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONCoding.decode(JSONValue.self, from: buffer.readableBytesView)
        } catch {
            throw APIError(status: 400, "request body is not valid JSON")
        }
    }
}
