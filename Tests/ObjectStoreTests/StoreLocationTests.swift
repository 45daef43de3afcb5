import Testing

@testable import ObjectStore

/// Store locations, endpoints and credentials as the command line and the environment give
/// them, and what is refused.
struct StoreLocationTests {
    @Test func aLocationIsABucketAndAPrefix() throws {
        let location = try StoreLocation("s3://aomi-archives/team/prod/")
        #expect(location.bucket == "aomi-archives")
        #expect(location.prefix == "team/prod")
        #expect(location.key(for: "0xab/a.warc.gz") == "team/prod/0xab/a.warc.gz")
        #expect(location.relativePath(of: "team/prod/0xab/a.warc.gz") == "0xab/a.warc.gz")
        #expect(location.relativePath(of: "team/other/a.warc.gz") == nil)
        #expect(location.description == "s3://aomi-archives/team/prod")
        let whole = try StoreLocation("s3://bkt")
        #expect(whole.prefix.isEmpty && whole.key(for: "x/y") == "x/y")
    }

    @Test func badLocationsAreRefusedWithTheReason() {
        for (text, reason) in [
            ("/tmp/archives", "s3://"), ("s3://", "bucket name"), ("s3://ab", "bucket name"), ("s3://Upper", "bucket name"), ("s3://-bucket", "bucket name"),
            ("s3://bucket/../x", ". or .."),
        ] {
            #expect(throws: StoreError.self) { try StoreLocation(text) }
            do {
                _ = try StoreLocation(text)
            } catch {
                #expect(error.description.contains(reason), "\(text): \(error)")
            }
        }
    }

    @Test func theEndpointComesFromTheUsualVariables() throws {
        let local = try StoreEndpoint.from(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:8000/", "AWS_REGION": "eu-west-1"])
        #expect(local.scheme == "http" && local.host == "127.0.0.1" && local.port == 8000 && local.region == "eu-west-1" && local.addressing == .path)
        #expect(local.hostField(bucket: "b1x") == "127.0.0.1:8000")
        #expect(local.url(bucket: "b1x", path: local.path(bucket: "b1x", key: "a b/c"), query: [("prefix", "a/")]) == "http://127.0.0.1:8000/b1x/a%20b/c?prefix=a%2F")

        let aws = try StoreEndpoint.from(environment: ["AWS_DEFAULT_REGION": "us-west-2"])
        #expect(aws.host == "s3.us-west-2.amazonaws.com" && aws.addressing == .virtual && aws.port == nil)
        #expect(aws.hostField(bucket: "b1x") == "b1x.s3.us-west-2.amazonaws.com")
        #expect(aws.path(bucket: "b1x", key: "k") == "/k" && aws.path(bucket: "b1x", key: nil) == "/")

        let forced = try StoreEndpoint.from(environment: ["AWS_ENDPOINT_URL_S3": "https://store.example:9000", "AOMI_S3_ADDRESSING": "virtual"])
        #expect(forced.hostField(bucket: "b1x") == "b1x.store.example:9000")
        #expect(throws: StoreError.self) { try StoreEndpoint.from(environment: ["AWS_ENDPOINT_URL": "ftp://x"]) }
        #expect(throws: StoreError.self) { try StoreEndpoint.from(environment: ["AWS_ENDPOINT_URL": "http://x/path"]) }
        #expect(throws: StoreError.self) { try StoreEndpoint.from(environment: ["AOMI_S3_ADDRESSING": "sideways"]) }
    }

    @Test func credentialsAreRequiredAndNeverDescribedWithTheirSecret() throws {
        #expect(throws: StoreError.self) { try StoreCredentials.from(environment: ["AWS_ACCESS_KEY_ID": "AK"]) }
        let credentials = try StoreCredentials.from(environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value"])
        #expect(credentials.sessionToken == nil)
        #expect(!"\(credentials)".contains("s3cr3t-value"))
    }

    @Test func storeAnswersAreReadWithTheirEntities() {
        let xml: Substring = """
            <?xml version="1.0"?><ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a&amp;b/&#x41;.warc.gz</Key><Size>12</Size>\
            <ETag>&quot;abc&quot;</ETag></Contents><Contents><Key>c</Key><Size>3</Size></Contents><NextContinuationToken>t1</NextContinuationToken></ListBucketResult>
            """
        let contents = S3XML.elements("Contents", in: xml)
        #expect(contents.count == 2)
        #expect(S3XML.value("Key", in: contents[0]) == "a&b/A.warc.gz")
        #expect(S3XML.value("ETag", in: contents[0]) == "\"abc\"")
        #expect(S3XML.value("NextContinuationToken", in: xml) == "t1")
        #expect(S3XML.decoded("x &bogus; &#99999999; y") == "x &bogus; &#99999999; y")
    }
}
