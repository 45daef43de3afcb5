import Foundation
import Testing

@testable import ObjectStore

/// AWS Signature Version 4 against the vectors AWS publishes: the SigV4 test suite
/// (`get-vanilla`, `get-vanilla-query-order-key-case`, `get-utf8`, `post-vanilla`; service
/// `service`, 2015-08-30 12:36:00 UTC) and the S3 API reference's worked examples (GET
/// with a range, PUT of an encoded key, list objects, GET lifecycle; 2013-05-24).
struct SigV4SignerTests {
    private let suite = SigV4Signer(
        credentials: StoreCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), region: "us-east-1", service: "service")
    private let suiteDate = SigV4Date(Date(timeIntervalSince1970: 1_440_938_160))
    private let s3 = SigV4Signer(
        credentials: StoreCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), region: "us-east-1")
    private let s3Date = SigV4Date(Date(timeIntervalSince1970: 1_369_353_600))
    private let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private func suiteRequest(_ method: String, path: String, query: [(name: String, value: String)] = []) -> SigV4Signer.Request {
        SigV4Signer.Request(
            method: method, path: path, query: query, headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")], payloadHash: emptyHash)
    }

    private func signature(_ authorization: String) -> String {
        String(authorization.split(separator: "=").last ?? "")
    }

    @Test func theTestSuiteVectors() {
        #expect(suiteDate.full == "20150830T123600Z")
        #expect(
            suite.authorization(for: suiteRequest("GET", path: "/"), date: suiteDate)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
                + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        let unordered = suiteRequest("GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")])
        #expect(signature(suite.authorization(for: unordered, date: suiteDate)) == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
        #expect(
            signature(suite.authorization(for: suiteRequest("GET", path: "/" + SigV4Encoding.path("ሴ")), date: suiteDate))
                == "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")
        #expect(signature(suite.authorization(for: suiteRequest("POST", path: "/"), date: suiteDate)) == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
    }

    @Test func theS3ReferenceExamples() {
        let host = ("host", "examplebucket.s3.amazonaws.com")
        let date = ("x-amz-date", "20130524T000000Z")
        let ranged = SigV4Signer.Request(
            method: "GET", path: "/test.txt", headers: [host, ("range", "bytes=0-9"), ("x-amz-content-sha256", emptyHash), date], payloadHash: emptyHash)
        #expect(
            s3.authorization(for: ranged, date: s3Date)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")

        let body = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
        let put = SigV4Signer.Request(
            method: "PUT", path: "/" + SigV4Encoding.path("test$file.text"),
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), host, ("x-amz-content-sha256", body), date, ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: body)
        #expect(signature(s3.authorization(for: put, date: s3Date)) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")

        let list = SigV4Signer.Request(
            method: "GET", path: "/", query: [("max-keys", "2"), ("prefix", "J")], headers: [host, ("x-amz-content-sha256", emptyHash), date], payloadHash: emptyHash)
        #expect(signature(s3.authorization(for: list, date: s3Date)) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")

        let lifecycle = SigV4Signer.Request(
            method: "GET", path: "/", query: [("lifecycle", "")], headers: [host, ("x-amz-content-sha256", emptyHash), date], payloadHash: emptyHash)
        #expect(signature(s3.authorization(for: lifecycle, date: s3Date)) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func theHeadersASignedRequestCarries() {
        var signer = s3
        signer.credentials.sessionToken = "a-session-token"
        let request = SigV4Signer.Request(method: "GET", path: "/k", headers: [("host", "h")], payloadHash: emptyHash)
        let added = signer.headers(for: request, at: Date(timeIntervalSince1970: 1_369_353_600))
        #expect(added.map(\.name) == ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "Authorization"])
        let authorization = added.last?.value ?? ""
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(!authorization.contains(signer.credentials.secretAccessKey))
        // Another body is another signature: the payload is bound to it.
        var other = request
        other.payloadHash = String(repeating: "0", count: 64)
        #expect(signer.headers(for: other, at: Date(timeIntervalSince1970: 1_369_353_600)).last?.value != authorization)
    }

    @Test func encodingKeepsUnreservedBytesAndSlashesInPaths() {
        #expect(SigV4Encoding.component("a b+c/d=e&f~g_h.i-j") == "a%20b%2Bc%2Fd%3De%26f~g_h.i-j")
        #expect(SigV4Encoding.path("0xab/aomi-20261206.warc.gz") == "0xab/aomi-20261206.warc.gz")
        #expect(SigV4Encoding.path("a b/ключ") == "a%20b/%D0%BA%D0%BB%D1%8E%D1%87")
        #expect(SigV4Encoding.component("100%") == "100%25")
    }

    @Test func canonicalHeadersAreLowerCaseSortedTrimmedAndJoined() {
        let request = SigV4Signer.Request(method: "GET", path: "/", headers: [("X-B", " 2 "), ("x-a", "a   b"), ("x-b", "3")], payloadHash: emptyHash)
        let canonical = SigV4Signer.canonicalRequest(request)
        #expect(canonical.signedHeaders == "x-a;x-b")
        #expect(canonical.request.contains("\nx-a:a b\nx-b:2,3\n\n"))
    }
}
