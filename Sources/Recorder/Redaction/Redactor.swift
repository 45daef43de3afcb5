import AomiAPI
import AomiArchive
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
        guard fields.contains(where: { rules.headers.contains($0.name.canonicalName) }) else { return fields }
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

    /// The target with the values of redacted query parameters replaced (still percent-encoded
    /// form), however their names are spelled (`SecretFields.isSecretQueryParameter`) and
    /// whether pairs are split by `&` or `;`.
    public func redact(target: String) -> String {
        guard let query = QueryString.rawQuery(of: target) else { return target }
        let pairs = QueryString.pairs(ofRawQuery: query).map { pair -> String in
            guard let (name, value) = QueryString.nameAndValue(ofRawPair: pair), SecretFields.isSecretQueryParameter(name, more: rules.queryParameters),
                let equals = pair.firstIndex(of: "="), !Self.isToken(value)
            else { return String(pair) }
            return pair[...equals] + token(for: value)
        }
        return QueryString.path(of: target) + "?" + pairs.joined()
    }

    /// The body with every string at a redacted JSON path replaced by its token, however it
    /// was spelled (JSON escapes) and at every occurrence of a repeated key; the rest of the
    /// bytes stay as sent. A body the rules apply to that is not JSON is replaced whole by its
    /// token: the backend would refuse it, and nothing in it may leak.
    public func redact(body: [UInt8], requestPath: String) -> [UInt8] {
        guard !body.isEmpty, !rules.bodyPaths.isEmpty else { return body }
        let path = SecretFields.canonicalPath(requestPath)
        let paths = rules.bodyPaths.filter { $0.requestPath == nil || $0.requestPath == path }
        guard !paths.isEmpty else { return body }
        guard let scanned = JSONStringSpans(body) else { return Array(token(for: String(decoding: body, as: UTF8.self)).utf8) }
        let secret = scanned.spans.filter { span in
            !Self.isToken(span.value) && paths.contains { SecretFields.matches($0.components, span.path) }
        }
        var redacted = body
        for span in secret.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            redacted.replaceSubrange(span.range, with: JSONCoding.encode(token(for: span.value)))
        }
        // The same secret elsewhere in the body (a client that echoes it) goes too.
        for value in Set(secret.map(\.value)) where !value.isEmpty {
            redacted = Self.replacing(JSONCoding.encode(value), with: JSONCoding.encode(token(for: value)), in: redacted)
            redacted = Self.replacing(Array(value.utf8), with: Array(token(for: value).utf8), in: redacted)
        }
        return redacted
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
