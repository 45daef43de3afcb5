import AomiAPI
import Crypto
import Foundation
import HTTPTypes

/// Replaces secrets with `redacted:<first 16 hex of HMAC-SHA256(key, value)>`: equal secrets
/// give equal tokens, and no archive holds the secret itself.
public struct Redactor: Sendable {
    public let key: RedactionKey
    public let rules: RedactionRules

    public init(key: RedactionKey, rules: RedactionRules = .defaults()) {
        self.key = key
        self.rules = rules
    }

    /// The token that stands for `value`.
    public func token(for value: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: key.key)
        return "redacted:" + mac.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    public static func isToken(_ value: String) -> Bool {
        value.hasPrefix("redacted:")
    }

    public func redact(_ fields: HTTPFields) -> HTTPFields {
        var redacted = HTTPFields()
        for field in fields {
            if rules.headers.contains(field.name.canonicalName), !Self.isToken(field.value) {
                redacted.append(HTTPField(name: field.name, value: token(for: field.value)))
            } else {
                redacted.append(field)
            }
        }
        return redacted
    }

    /// The target with the values of redacted query parameters replaced (still percent-encoded form).
    public func redact(target: String) -> String {
        guard !rules.queryParameters.isEmpty, let query = QueryString.rawQuery(of: target) else { return target }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = QueryString.parameters(of: "?" + pair).first?.name ?? String(parts[0])
            guard parts.count == 2, rules.queryParameters.contains(name) else { return String(pair) }
            let value = QueryString.parameters(of: "?" + pair).first?.value ?? ""
            return "\(parts[0])=\(token(for: value))"
        }
        return QueryString.path(of: target) + "?" + pairs.joined(separator: "&")
    }

    /// The body with every string at a redacted JSON path replaced by its token. Only the
    /// secret strings change; the rest of the bytes stay as sent.
    public func redact(body: [UInt8], requestPath: String) -> [UInt8] {
        let paths = rules.bodyPaths.filter { $0.requestPath == nil || $0.requestPath == requestPath }
        guard !paths.isEmpty, !body.isEmpty, let json = try? JSONCoding.decode(JSONValue.self, from: body) else { return body }
        var secrets: [String] = []
        for path in paths { Self.collect(json, path.components[...], into: &secrets) }
        var redacted = body
        for secret in Set(secrets) where !Self.isToken(secret) {
            let encoded = JSONCoding.encode(secret)
            redacted = Self.replacing(encoded, with: JSONCoding.encode(token(for: secret)), in: redacted)
            let plain = Array(secret.utf8)
            if !plain.isEmpty { redacted = Self.replacing(plain, with: Array(token(for: secret).utf8), in: redacted) }
        }
        return redacted
    }

    private static func collect(_ value: JSONValue, _ path: ArraySlice<String>, into secrets: inout [String]) {
        guard let head = path.first else {
            if let string = value.stringValue { secrets.append(string) }
            return
        }
        switch value {
        case let .object(object):
            if head == "*" {
                object.values.forEach { collect($0, path.dropFirst(), into: &secrets) }
            } else if let child = object[head] {
                collect(child, path.dropFirst(), into: &secrets)
            }
        case let .array(items) where head == "*":
            items.forEach { collect($0, path.dropFirst(), into: &secrets) }
        default:
            break
        }
    }

    static func replacing(_ pattern: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + pattern.count <= bytes.count, bytes[index] == pattern[0], bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                output.append(contentsOf: replacement)
                index += pattern.count
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }
}

extension Redactor {
    /// The exchange as it may be stored: secrets in headers (both ways), query and request body replaced.
    public func redact(_ exchange: HTTPExchange) -> HTTPExchange {
        var redacted = exchange
        redacted.request.headers = redact(exchange.request.headers)
        redacted.request.target = redact(target: exchange.request.target)
        redacted.request.body = redact(body: exchange.request.body, requestPath: QueryString.path(of: exchange.request.target))
        redacted.response.headers = redact(exchange.response.headers)
        return redacted
    }
}
