import AomiAPI
import AomiArchive
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import Recorder

@Suite struct RedactorTests {
    private let key = RedactionKey(bytes: Array("a test key of thirty-two bytes!!".utf8))

    @Test func tokensAreStableHMACsAndDifferPerSecret() {
        let redactor = Redactor(key: key)
        let token = redactor.token(for: "sk-live-1")
        #expect(token.hasPrefix("redacted:") && token.count == "redacted:".count + 16)
        #expect(redactor.token(for: "sk-live-1") == token)
        #expect(redactor.token(for: "sk-live-2") != token)
        #expect(Redactor(key: RedactionKey(bytes: Array("another key of thirty-two bytes!".utf8))).token(for: "sk-live-1") != token)
    }

    /// Redaction works on what the backend reads, not on one spelling of it:
    /// JSON escapes, a repeated key, path variants the backend accepts, an absolute-form
    /// target, and secret query parameters.
    @Test(arguments: [
        ("/api/secrets", #"{"client_id":"c","secrets":{"API_KEY":"sk-proj-SEC\/RET-1"}}"#, "sk-proj-SEC/RET-1"),
        ("/api/secrets", #"{"client_id":"c","secrets":{"API_KEY":"SEC\u0052ET-2"}}"#, "SECRET-2"),
        ("/api/secrets", #"{"client_id":"c","secrets":{"API_KEY":"first-SECRET-3","API_KEY":"second-4"}}"#, "first-SECRET-3"),
        ("/api/secrets/", #"{"secrets":{"K":"trailing-SECRET-5"}}"#, "trailing-SECRET-5"),
        ("/api//secrets", #"{"secrets":{"K":"double-SECRET-6"}}"#, "double-SECRET-6"),
        ("/api/%73ecrets", #"{"secrets":{"K":"encoded-SECRET-7"}}"#, "encoded-SECRET-7"),
        ("http://evil.example/api/secrets", #"{"secrets":{"K":"absolute-SECRET-8"}}"#, "absolute-SECRET-8"),
        ("/api/secrets", #"{"secrets":{"K":"not json-SECRET-9""#, "SECRET-9"),
        ("/api/state?api_key=query-SECRET-10&x=1", "", "query-SECRET-10"),
        ("/api/state?access_token=query-SECRET-11", "", "query-SECRET-11"),
        // Names in other cases and forms, and `;` as a separator (issue 30, item 6).
        ("/api/state?API_KEY=upper-SECRET-12", "", "upper-SECRET-12"),
        ("/api/state?api_key[]=brackets-SECRET-13&x=1", "", "brackets-SECRET-13"),
        ("/api/state?api_key%5B0%5D=encoded-brackets-SECRET-14", "", "encoded-brackets-SECRET-14"),
        ("/api/state?a=1;api_key=semicolon-SECRET-15", "", "semicolon-SECRET-15"),
        ("/api/state?apiKey=camel-SECRET-16", "", "camel-SECRET-16"),
        ("/api/state?Access-Token=dashed-SECRET-17", "", "dashed-SECRET-17"),
        // Paths a backend or CDN normalises to /api/secrets.
        ("/api/x/../secrets", #"{"secrets":{"K":"dotdot-SECRET-18"}}"#, "dotdot-SECRET-18"),
        ("/api/./secrets", #"{"secrets":{"K":"dot-SECRET-19"}}"#, "dot-SECRET-19"),
        ("/API/Secrets", #"{"secrets":{"K":"case-SECRET-20"}}"#, "case-SECRET-20"),
        ("/api/secrets;x", #"{"secrets":{"K":"matrix-SECRET-21"}}"#, "matrix-SECRET-21"),
        ("/api/%2E%2E/api/secrets", #"{"secrets":{"K":"encoded-dotdot-SECRET-22"}}"#, "encoded-dotdot-SECRET-22"),
        // Secrets at any depth under a secret key, and the client's camelCase names.
        ("/api/secrets", #"{"secrets":{"K":{"nested":"object-SECRET-23"}}}"#, "object-SECRET-23"),
        ("/api/secrets", #"{"secrets":{"K":["array-SECRET-24"]}}"#, "array-SECRET-24"),
        ("/api/secrets", #"{"Secrets":{"K":"key-case-SECRET-25"}}"#, "key-case-SECRET-25"),
        ("/api/control/provider-keys", #"{"provider":"openai","apiKey":"camel-body-SECRET-26"}"#, "camel-body-SECRET-26"),
        ("/api/control/provider-keys", #"{"provider":"openai","api_key":{"value":"nested-body-SECRET-27"}}"#, "nested-body-SECRET-27"),
    ])
    func secretsAreRedactedHoweverTheyAreSpelled(_ target: String, _ body: String, _ secret: String) {
        let redactor = Redactor(key: key)
        let request = CapturedRequest(method: "POST", target: target, headers: HTTPFields(), body: Array(body.utf8))
        let exchange = HTTPExchange(request: request, response: CapturedResponse(status: 200, reason: "OK", headers: HTTPFields(), body: []))
        let redacted = redactor.redact(exchange)
        let text = redacted.request.target + String(decoding: redacted.request.body, as: UTF8.self)
        let decodedText = (try? JSONCoding.decode(JSONValue.self, from: redacted.request.body)).map { "\($0)" } ?? ""
        #expect(!text.contains(secret) && !decodedText.contains(secret), "\(secret) leaked: \(text)")
        #expect(text.contains("redacted:"))
    }

    @Test func whatIsNotASecretIsKeptAsSentAndLogsHideSecretParameters() {
        let redactor = Redactor(key: key)
        let target = "/api/state?user_state=%7B%22a%22%3A1%7D&client_id=c-1;keyboard=q&API_KEY=v"
        let redacted = redactor.redact(target: target)
        #expect(redacted == "/api/state?user_state=%7B%22a%22%3A1%7D&client_id=c-1;keyboard=q&API_KEY=\(redactor.token(for: "v"))")
        #expect(SecretFields.loggable("/x?apiKey=v;a=1") == "/x?apiKey=redacted;a=1")
        #expect(SecretFields.canonicalPath("/a/../../b/./c;p/") == "/b/c")
        // Plain paths take a short way; each of these must come out as the full way makes it.
        let expected = [
            "/api/state?session=1": "/api/state", "/": "/", "/?x=1": "/", "/api/secrets/": "/api/secrets", "/api//secrets": "/api/secrets",
            "/API/Secrets": "/api/secrets", "/api/%73ecrets": "/api/secrets", "/api/secrets;x": "/api/secrets", "/api/x/../secrets": "/api/secrets",
            "http://h/api/secrets": "/api/secrets", "/api/clear-session_2": "/api/clear-session_2",
        ]
        for (path, canonical) in expected { #expect(SecretFields.canonicalPath(path) == canonical, "\(path)") }
        let body = #"{"secrets_note":"kept","provider":"openai","secrets":{}}"#
        #expect(redactor.redact(body: Array(body.utf8), requestPath: "/api/secrets") == Array(body.utf8))
    }

    @Test func aRepeatedKeyHasEveryOccurrenceRedactedAndTheRestOfTheBodyKept() {
        let redactor = Redactor(key: key)
        let body = #"{"client_id":"c-1", "secrets":{"A":"one","A":"two"}}"#
        let redacted = String(decoding: redactor.redact(body: Array(body.utf8), requestPath: "/api/secrets"), as: UTF8.self)
        #expect(redacted == #"{"client_id":"c-1", "secrets":{"A":"\#(redactor.token(for: "one"))","A":"\#(redactor.token(for: "two"))"}}"#)
    }

    @Test func secretHeadersQueryParametersAndBodyPathsAreReplaced() throws {
        var rules = RedactionRules.defaults()
        try rules.add(headers: ["X-Extra-Secret"], queryParameters: ["client_id"], bodyPaths: ["wallet.seed"])
        let redactor = Redactor(key: key, rules: rules)
        let appKey = "app-" + UUID().uuidString
        let apiKey = "api-" + UUID().uuidString
        let vendor = "vendor-" + UUID().uuidString
        let provider = "prov-" + UUID().uuidString
        let client = "client-" + UUID().uuidString
        let seed = "seed-" + UUID().uuidString
        var headers = HTTPFields()
        headers[HTTPField.Name("AOMI-APP-KEY")!] = appKey
        headers[HTTPField.Name("x-api-key")!] = apiKey
        headers[HTTPField.Name("X-Extra-Secret")!] = seed
        headers[HTTPField.Name("X-Session-Id")!] = "s-1"
        let request = CapturedRequest(
            method: "POST", target: "/api/secrets?client_id=\(client)&x=1", headers: headers,
            body: Array(#"{"client_id":"c","secrets":{"API_KEY":"\#(vendor)"},"wallet":{"seed":"\#(seed)"}}"#.utf8))
        var responseHeaders = HTTPFields()
        responseHeaders[.setCookie] = "session=\(appKey)"
        let exchange = HTTPExchange(request: request, response: CapturedResponse(status: 200, reason: "OK", headers: responseHeaders, body: []))
        let redacted = redactor.redact(exchange)
        let everything = HTTPBlock.request(redacted.request) + HTTPBlock.response(redacted.response)
        let text = String(decoding: everything, as: UTF8.self)
        for secret in [appKey, apiKey, vendor, client, seed] {
            #expect(!text.contains(secret), "\(secret) leaked")
        }
        #expect(redacted.request.headers[HTTPField.Name("X-Session-Id")!] == "s-1")
        #expect(redacted.request.headers[HTTPField.Name("x-api-key")!] == redactor.token(for: apiKey))
        #expect(text.contains(redactor.token(for: vendor)))
        #expect(QueryString.value("client_id", in: redacted.request.target) == redactor.token(for: client))
        #expect(QueryString.value("x", in: redacted.request.target) == "1")
        let providerRequest = CapturedRequest(
            method: "POST", target: "/api/control/provider-keys", headers: HTTPFields(),
            body: Array(#"{"provider":"openai","api_key":"\#(provider)"}"#.utf8))
        let providerBody = redactor.redact(body: providerRequest.body, requestPath: "/api/control/provider-keys")
        #expect(!String(decoding: providerBody, as: UTF8.self).contains(provider))
        #expect(try JSONCoding.decode(JSONValue.self, from: providerBody)["provider"] == .string("openai"))
    }

    @Test func theKeyFileIsCreatedPrivateAndReused() throws {
        let root = TemporaryDirectory.path("aomi-key")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try RedactionKey.loadOrCreate(root: root)
        let second = try RedactionKey.loadOrCreate(root: root)
        #expect(first.id == second.id)
        let mode = try FileManager.default.attributesOfItem(atPath: root + "/.aomi-archive-key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
