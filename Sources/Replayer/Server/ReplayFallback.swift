import AomiAPI
import AomiArchive
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TLSSupport
import WARC

/// Sends requests the recording cannot answer to a live backend (`--fallback URL`) and relays
/// its answer, streams included, marked `X-Aomi-Replay: fallback`.
public final class ReplayFallback: Sendable {
    public let baseURL: String
    private let client: HTTPClient
    private let logger: Logger

    private let tls: UpstreamTLS
    private let host: String
    private let port: Int

    public init(baseURL: String, tls: UpstreamTLS = .systemTrust, logger: Logger = Logger(label: "aomi-archive.replay")) throws(ReplayerError) {
        guard let url = URL(string: baseURL), url.scheme == "http" || url.scheme == "https", let host = url.host else {
            throw .badFallback(url: baseURL, reason: "expected http://host[:port] or https://host[:port]")
        }
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.tls = tls
        self.host = host
        self.port = url.port ?? (url.scheme == "https" ? 443 : 80)
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls.configuration
        configuration.decompression = .disabled
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.logger = logger
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Writes one part of the answer to the client, in order (the connection's handler).
    typealias Writer = @Sendable (HTTPServerResponsePart) async throws -> Void

    /// Forwards `request` and hands the backend's answer to `write`, part by part, ending with
    /// `.end`; a 502 with a JSON error when the backend cannot be reached. Once a part could not
    /// be written (the client left), the rest is dropped.
    func forward(_ request: ReplayRequest, extraFields: [(String, String)], write: @escaping Writer) {
        Task { [self] in
            var started = false
            do {
                try await relay(request, extraFields: extraFields) { part in
                    started = true
                    try await write(part)
                }
            } catch  where !started {
                let cause = await TLSFailure.explain(error, host: host, port: port, tls: tls).map { "TLS failed: \($0)" } ?? "\(error)"
                logger.warning("fallback \(request.method) \(SecretFields.loggable(request.target)) to \(baseURL) failed: \(cause)")
                let body = JSONCoding.encode(["error": "fallback \(baseURL) did not answer: \(cause)"])
                let head = ReplayResponseHead.json(status: 502, body: body, extra: extraFields + [("X-Aomi-Replay", "fallback")])
                try? await write(.head(head))
                try? await write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                try? await write(.end(nil))
            } catch {
                logger.warning("fallback \(request.method) \(SecretFields.loggable(request.target)) to \(baseURL) broke off: \(error)")
                try? await write(.end(nil))
            }
        }
    }

    private static let notForwarded = HopByHop.fieldsAndLength.union(["host"])

    private func relay(_ request: ReplayRequest, extraFields: [(String, String)], write: (HTTPServerResponsePart) async throws -> Void) async throws {
        var outgoing = HTTPClientRequest(url: baseURL + request.target)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for field in request.fields where !Self.notForwarded.contains(field.name.lowercased()) {
            outgoing.headers.add(name: field.name, value: field.value)
        }
        if !request.body.isEmpty { outgoing.body = .bytes(request.body) }
        let response = try await client.execute(outgoing, timeout: .seconds(30))
        let fields = response.headers.map { HTTPMessageHead.Field(name: $0.name, value: $0.value) }
        let extra = extraFields + [("X-Aomi-Replay", "fallback")]
        logger.info("fallback: \(request.method) \(SecretFields.loggable(request.target)) answered \(response.status.code) by \(baseURL)")
        let status = Int(response.status.code)
        if response.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true {
            try await write(.head(ReplayResponseHead.make(status: status, reason: response.status.reasonPhrase, fields: fields, extra: extra, bodyLength: nil)))
            for try await part in response.body {
                try await write(.body(.byteBuffer(part)))
            }
        } else {
            let body = try await response.body.collect(upTo: 256 << 20)
            try await write(
                .head(ReplayResponseHead.make(status: status, reason: response.status.reasonPhrase, fields: fields, extra: extra, bodyLength: body.readableBytes)))
            try await write(.body(.byteBuffer(body)))
        }
        try await write(.end(nil))
    }
}
