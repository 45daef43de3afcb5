import Foundation
import TestSupport
import Testing

@testable import WARC

/// Bundles: records packed into one record read back as themselves, wherever they sit, and a
/// damaged bundle is damage with its place, never a crash or a record made up.
@Suite struct WARCBundleTests {
    private func records(pairs: Int) -> [WARCRecord] {
        (0..<pairs).flatMap { index -> [WARCRecord] in
            let request = SampleRecords.request().completed()
            let body = SampleRecords.snapshot(words: 30 + index % 3, seed: index % 2)
            return [request, SampleRecords.response(body: body, concurrentTo: request.recordID).completed()]
        }
    }

    private func file(_ members: [WARCRecord], _ directory: TemporaryDirectory, name: String = "bundled.warc.gz") throws -> String {
        let path = directory.file(name)
        let output = try WARCReplacementFile(replacing: path, level: 6)
        for member in members { try output.write(member) }
        try output.commit()
        return path
    }

    @Test func recordsInABundleReadBackWithTheirDigestsAndPlaces() throws {
        let directory = TemporaryDirectory()
        let packed = records(pairs: 20)
        let bundle = WARCBundle.record(holding: packed, targetURI: "urn:test:bundle", date: "2026-11-30T00:00:00Z")
        let text = String(decoding: bundle.block, as: UTF8.self)
        #expect(text.components(separatedBy: "WARC-Block-Digest: derived").count == packed.count + 1, "every block digest is derived")
        #expect(text.components(separatedBy: "WARC-Payload-Digest: derived").count == packed.count / 2 + 1, "every response's payload digest too")
        let path = try file([WARCRecord(type: .warcinfo, block: Array("software: test\r\n".utf8)).completed(), bundle], directory)

        let (stored, damage) = try WARCFileReader.readAll(path: path)
        #expect(damage.isEmpty)
        #expect(stored.map(\.record).dropFirst().elementsEqual(packed), "the same fields, blocks and digests")
        #expect(stored.dropFirst().allSatisfy { $0.offset == stored[1].offset && $0.positionInBundle != nil })
        #expect(Set(stored.dropFirst().compactMap(\.positionInBundle)).count == packed.count)
        #expect(stored.first?.positionInBundle == nil)
        let asStored = try WARCFileReader.readAll(path: path, options: WARCReaderOptions(readsInsideBundles: false)).records
        #expect(asStored.map(\.record.type) == [.warcinfo, .resource])
    }

    @Test func aDigestThatDoesNotMatchItsBlockIsKeptAsWritten() throws {
        let directory = TemporaryDirectory()
        var wrong = SampleRecords.response().completed()
        wrong.headers.set(WARCField.blockDigest, "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        wrong.headers.set(WARCField.payloadDigest, "sha256:not-ours")
        let path = try file([WARCBundle.record(holding: [wrong], targetURI: "urn:test:bundle", date: "2026-11-30T00:00:00Z")], directory)
        let read = try WARCFileReader.readAll(path: path).records.map(\.record)
        #expect(read == [wrong])
    }

    /// Ways a bundle's block can be damaged.
    enum BundleDamage: String, CaseIterable, Sendable {
        case cutInsideABlock, lengthPastTheEnd, absurdLength, garbageBetweenRecords, derivedPayloadDigestOnARequest

        func mangle(_ block: [UInt8]) -> [UInt8] {
            let text = String(decoding: block, as: UTF8.self)
            switch self {
            case .cutInsideABlock: return Array(block.dropLast(block.count / 3))
            case .lengthPastTheEnd: return Array(text.replacingOccurrences(of: "Content-Length: ", with: "Content-Length: 9").utf8)
            case .absurdLength: return Array(text.replacingOccurrences(of: "Content-Length: ", with: "Content-Length: 922337203685477580").utf8)
            case .garbageBetweenRecords: return Array(block[..<(block.count / 2)]) + Array("not a record\r\n\r\n".utf8) + Array(block[(block.count / 2)...])
            case .derivedPayloadDigestOnARequest:
                return Array(text.replacingOccurrences(of: "WARC-Type: request\r\n", with: "WARC-Type: request\r\nWARC-Payload-Digest: derived\r\n").utf8)
            }
        }
    }

    @Test(arguments: BundleDamage.allCases)
    func aDamagedBundleIsDamageAtItsOffset(_ damage: BundleDamage) throws {
        let directory = TemporaryDirectory()
        let good = WARCBundle.record(holding: records(pairs: 4), targetURI: "urn:test:good", date: "2026-11-30T00:00:00Z")
        var bad = good
        bad.headers.remove(WARCField.blockDigest)
        bad.block = damage.mangle(good.block)
        let path = try file([good, bad.completed(), good], directory)
        let (stored, found) = try WARCFileReader.readAll(path: path)
        #expect(found.count == 1, "\(damage): \(found)")
        #expect(found.first?.description.contains("of the bundle's block") == true, "\(found)")
        let members = Set(stored.map(\.offset)).sorted()
        #expect(members.count == 3 || members.count == 2, "the good bundles around it are read: \(members)")
        #expect(stored.filter { $0.offset == members.last }.count == 8, "the bundle after the damage is whole")
        #expect(stored.allSatisfy { $0.record.type == .request || $0.record.type == .response })
    }
}
