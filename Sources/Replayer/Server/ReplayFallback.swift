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

    /// `connectTimeout` covers the TCP connection and the TLS handshake.
    public init(
        baseURL: String, tls: UpstreamTLS = .systemTrust, connectTimeout: Duration = .seconds(5), logger: Logger = Logger(label: "aomi-archive.replay")
    ) throws(ReplayerError) {
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
        configuration.timeout.connect = TimeAmount(connectTimeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.logger = logger
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Forwards `request` and writes the backend's answer to `channel`; a 502 with a JSON
    /// error when the backend cannot be reached.
    func forward(_ request: ReplayRequest, extraFields: [(String, String)], keepAlive: Bool, channel: any Channel) {
        Task { [self] in
            let written: AnswerWritten
            do {
                written = try await relay(request, extraFields: extraFields, keepAlive: keepAlive, channel: channel)
            } catch {
                let cause = await TLSFailure.explain(error, host: host, port: port, tls: tls).map { "TLS failed: \($0)" } ?? "\(error)"
                logger.warning("fallback \(request.method) \(SecretFields.loggable(request.target)) to \(baseURL) failed: \(cause)")
                let body = JSONCoding.encode(["error": "fallback \(baseURL) did not answer: \(cause)"])
                let bytes = HTTPResponseBytes.json(status: 502, reason: "Bad Gateway", body: body, extra: extraFields + [("X-Aomi-Replay", "fallback")])
                try? await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
                written = AnswerWritten(streamSession: nil, keepAlive: keepAlive)
            }
            channel.pipeline.fireUserInboundEventTriggered(written)
        }
    }

    private static let notForwarded = HopByHop.fieldsAndLength.union(["host"])

    private func relay(_ request: ReplayRequest, extraFields: [(String, String)], keepAlive: Bool, channel: any Channel) async throws -> AnswerWritten {
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
        if response.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true {
            let head = HTTPResponseBytes.streamHead(status: Int(response.status.code), reason: response.status.reasonPhrase, fields: fields, extra: extra)
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: head))
            for try await part in response.body {
                try await channel.writeAndFlush(channel.allocator.buffer(bytes: HTTPResponseBytes.chunk(Array(part.readableBytesView))))
            }
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: HTTPResponseBytes.lastChunk))
        } else {
            let body = try await response.body.collect(upTo: 256 << 20)
            let bytes = HTTPResponseBytes.response(
                status: Int(response.status.code), reason: response.status.reasonPhrase, fields: fields, extra: extra,
                body: Array(body.readableBytesView))
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
        }
        return AnswerWritten(streamSession: nil, keepAlive: keepAlive)
    }
}
