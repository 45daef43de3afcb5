import AomiAPI
import HTTPServing
import Hummingbird

/// The browser's responses: pages, their JSON, downloads. Security headers are added by
/// `BrowserMiddleware` to every response.
enum BrowserResponse {
    static func page(
        _ body: HTML, title: String, query: String = "", indexed: String?, showsIndex: Bool = true, status: HTTPResponse.Status = .ok
    ) -> Response {
        let html = Layout.page(title: title, query: query, indexed: indexed, showsIndex: showsIndex, body: body).description
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let bytes = (try? JSONCoding.encoder().encode(value)).map(Array.init) ?? Array("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func download(_ bytes: [UInt8], contentType: String, filename: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: contentType, .contentDisposition: "attachment; filename=\"\(filename)\""],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static let icon = Response(
        status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "max-age=86400"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: Layout.icon)))

    static let stylesheet = Response(
        status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: Layout.stylesheet)))

    /// `GET /metrics`: the Prometheus text.
    static func metrics(_ endpoint: MetricsEndpoint) -> Response {
        Response(
            status: .ok, headers: [.contentType: MetricsEndpoint.contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: endpoint.render())))
    }
}
