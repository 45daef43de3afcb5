import AsyncHTTPClient
import Foundation
import NIOCore
import TestSupport
import Testing
import WARC

/// `record` in front of `sim --tls-cert`, as a user runs them: `--upstream-ca` trusts a private
/// CA, `--upstream-insecure` trusts anything and says so on stderr and in every warcinfo.
@Suite struct RecordTLSCommandTests {
    private func recordOneRequest(upstream: String, flags: [String], root: String) async throws -> (status: UInt, stderr: String, warcinfo: [WARCRecord]) {
        let recorder = try BackgroundCommand(["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--quiet"] + flags)
        let proxy = try await recorder.waitForURL()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var request = HTTPClientRequest(url: proxy + "/api/control/models")
        request.headers.add(name: "X-Session-Id", value: "cli-tls")
        let response = try await client.execute(request, timeout: .seconds(120))
        _ = try await response.body.collect(upTo: 1 << 20)
        try await client.shutdown()
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0)
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".warc.gz") }.map { root + "/" + $0 }
        let warcinfo = try files.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }.filter { $0.type == .warcinfo }
        return (response.status.code, recorder.standardError, warcinfo)
    }

    @Test(.timeLimit(.minutes(10))) func recordAnHTTPSSimulatorWithAPrivateCAOrInsecurely() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let root = TemporaryDirectory.path("aomi-record-tls")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sim = try BackgroundCommand(["sim", "--listen", "127.0.0.1:0", "--tls-cert", certificates.good.certificateFile, "--tls-key", certificates.good.keyFile])
        defer { sim.signal(SIGTERM) }
        let upstream = try await sim.waitForURL()
        #expect(upstream.hasPrefix("https://"))

        let verified = try await recordOneRequest(upstream: upstream, flags: ["--upstream-ca", certificates.caFile], root: root + "/verified")
        #expect(verified.status == 200)
        #expect(!verified.stderr.contains("NOT verified"))

        let refused = try await recordOneRequest(upstream: upstream, flags: [], root: root + "/refused")
        #expect(refused.status == 502)

        let insecure = try await recordOneRequest(upstream: upstream, flags: ["--upstream-insecure"], root: root + "/insecure")
        #expect(insecure.status == 200)
        #expect(insecure.stderr.contains("NOT verified"))
        #expect(!insecure.warcinfo.isEmpty)
        #expect(insecure.warcinfo.allSatisfy { String(decoding: $0.block, as: UTF8.self).contains("upstream-tls: NOT VERIFIED") })

        let badCA = try await CommandRunner.run([
            "record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root + "/bad",
            "--upstream-ca", certificates.folder + "/missing.pem",
        ])
        #expect(badCA.status != 0)
        #expect(badCA.standardError.contains("missing.pem"), "\(badCA.standardError)")
    }
}
