import AomiAPI
import AomiArchive
import Foundation
import HTTPTypes
import TestSupport
import Testing
import WARC

@testable import Recorder

@Suite struct WalletArchiveTests {
    private let origin = "http://127.0.0.1:8080"

    private func exchange(_ method: String, _ target: String, body: String, requestHeaders: HTTPFields = HTTPFields()) -> HTTPExchange {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.transferEncoding] = "chunked"
        return HTTPExchange(
            request: CapturedRequest(method: method, target: target, headers: requestHeaders, body: []),
            response: CapturedResponse(status: 200, reason: "OK", headers: headers, body: Array(body.utf8)))
    }

    @Test func exchangesGoToTheirWalletFolderAndRepeatsBecomeRevisits() async throws {
        let root = TemporaryDirectory.path("aomi-archive")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let archive = WalletArchive(settings: .init(root: root, recorderID: "t1"))
        let wallet = WalletAddress("0xAbCdEf0000000000000000000000000000000001")!
        let bound = ExchangeContext(sessionID: "s-1", wallet: wallet, sequence: 1, origin: origin)
        let snapshot = #"{"messages":[],"is_processing":false}"#
        try await archive.record(exchange("GET", "/api/state", body: snapshot), context: bound)
        try await archive.record(exchange("GET", "/api/state", body: snapshot), context: bound)
        try await archive.record(exchange("GET", "/api/state?user_state=x", body: snapshot), context: bound)
        try await archive.record(exchange("GET", "/api/state", body: #"{"messages":[1]}"#), context: bound)
        try await archive.record(exchange("GET", "/api/state", body: snapshot), context: ExchangeContext(sessionID: "s-2", wallet: nil, sequence: 1, origin: origin))
        #expect(await archive.revisits == 2)
        let files = try await archive.close()
        #expect(files.count == 2)
        let walletFile = try #require(files.first { $0.contains("/\(wallet.value)/") })
        #expect(files.contains { $0.contains("/_unbound/") })

        let records = try WARCFileReader.readAll(path: walletFile).records.map(\.record)
        #expect(records.map(\.type) == [.warcinfo, .request, .response, .request, .revisit, .request, .revisit, .request, .response])
        let revisit = records[4]
        #expect(revisit.headers[WARCField.refersTo] == records[2].recordID)
        #expect(revisit.headers[WARCField.payloadDigest] == records[2].headers[WARCField.payloadDigest])
        #expect(revisit.headers[AomiField.wallet] == wallet.value)
        #expect(revisit.headers[AomiField.sessionID] == "s-1")
        #expect(records[2].headers[WARCField.concurrentTo] == records[1].recordID)
        let head = String(decoding: records[2].block, as: UTF8.self)
        #expect(!head.lowercased().contains("transfer-encoding"))
        #expect(head.contains("Content-Length: \(snapshot.utf8.count)\r\n"))

        for file in files {
            let check = try await Warcio.run(["check", "-v", file])
            #expect(check.status == 0, "\(check.output)")
        }
    }

    /// Two sessions of one wallet answered the same bytes (two fresh threads, a conversation
    /// rerun twice at once): each keeps its own full response, so that each session's records
    /// hold its whole conversation for the index, which reads a session's snapshots only from
    /// its own responses.
    @Test func aRevisitRefersOnlyToItsOwnSession() async throws {
        let root = TemporaryDirectory.path("aomi-archive")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let archive = WalletArchive(settings: .init(root: root, recorderID: "t1"))
        let wallet = WalletAddress("0xAbCdEf0000000000000000000000000000000001")!
        let snapshot = #"{"messages":[{"sender":"user","content":"hi"}],"is_processing":false}"#
        for session in ["s-1", "s-2", "s-1", "s-2"] {
            try await archive.record(exchange("GET", "/api/state", body: snapshot), context: ExchangeContext(sessionID: session, wallet: wallet, sequence: 1, origin: origin))
        }
        let files = try await archive.close()
        let records = try WARCFileReader.readAll(path: try #require(files.first)).records.map(\.record).filter { $0.type != .request && $0.type != .warcinfo }
        #expect(records.map(\.type) == [.response, .response, .revisit, .revisit])
        #expect(records[2].headers[WARCField.refersTo] == records[0].recordID && records[3].headers[WARCField.refersTo] == records[1].recordID)
    }

    /// More wallets than open files: the least recently written file is closed, the folder's
    /// next record starts a new file, and revisits may refer to the earlier file.
    @Test func pastTheOpenFileLimitTheOldestFileIsClosedAndNothingIsLost() async throws {
        let root = TemporaryDirectory.path("aomi-archive")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let archive = WalletArchive(settings: .init(root: root, recorderID: "lru", fsync: .never, maxOpenFiles: 2))
        let wallets = (1...3).map { WalletAddress("0x\(String(repeating: "0", count: 39))\($0)")! }
        for round in 0..<4 {
            for (index, wallet) in wallets.enumerated() {
                let context = ExchangeContext(sessionID: "s-\(index)", wallet: wallet, sequence: round + 1, origin: origin)
                try await archive.record(exchange("GET", "/api/state", body: #"{"messages":[],"wallet":\#(index)}"#), context: context)
            }
        }
        let files = try await archive.close()
        #expect(files.count > 3, "files were closed and reopened")
        var records: [WARCRecord] = []
        for file in files {
            #expect(file.hasSuffix(".warc.gz"))
            records += try WARCFileReader.readAll(path: file).records.map(\.record)
        }
        #expect(records.filter { $0.type == .request }.count == 12)
        #expect(records.filter { $0.type == .response }.count == 3, "each wallet's snapshot is stored once")
        let ids = Set(records.compactMap(\.recordID))
        #expect(records.filter { $0.type == .revisit }.allSatisfy { ids.contains($0.headers[WARCField.refersTo] ?? "") })
    }

    @Test func noSecretReachesTheArchive() async throws {
        let root = TemporaryDirectory.path("aomi-archive")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let redactor = Redactor(key: try RedactionKey.loadOrCreate(root: root))
        let archive = WalletArchive(settings: .init(root: root, recorderID: "t2"))
        let appKey = "app-" + UUID().uuidString
        let secret = "vendor-" + UUID().uuidString
        var headers = HTTPFields()
        headers[HTTPField.Name("X-API-Key")!] = appKey
        var secrets = exchange("POST", "/api/secrets", body: #"{"handles":{"API_KEY":"$SECRET:API_KEY"}}"#, requestHeaders: headers)
        secrets.request.body = Array(#"{"client_id":"c","secrets":{"API_KEY":"\#(secret)"}}"#.utf8)
        try await archive.record(redactor.redact(secrets), context: ExchangeContext(sessionID: "s", wallet: nil, sequence: 1, origin: origin))
        let files = try await archive.close()
        for file in files {
            let text = try await Warcio.runPython(["-c", "import gzip,sys; sys.stdout.write(gzip.open(sys.argv[1]).read().decode('latin-1'))", file]).output
            #expect(text.contains("redacted:"))
            #expect(!text.contains(appKey) && !text.contains(secret))
        }
    }

    /// pywb's `wb-manager add` puts files of many folders into one collection: a name used in
    /// two folders would be renamed there and break its `WARC-Filename`.
    @Test func fileNamesAreUniqueAcrossTheWholeRootAndFound() async throws {
        let root = TemporaryDirectory.path("aomi-archive")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let archive = WalletArchive(settings: .init(root: root, recorderID: "names", fsync: .never, info: ArchiveInfo(upstream: origin, redactionKeyID: "k1")))
        for number in 1...4 {
            let wallet = WalletAddress("0x" + String(repeating: "\(number)", count: 40))
            try await archive.record(exchange("GET", "/api/state", body: "{}"), context: ExchangeContext(sessionID: "s-\(number)", wallet: wallet, sequence: 1, origin: origin))
        }
        try await archive.record(exchange("GET", "/api/state", body: "{}"), context: ExchangeContext(sessionID: nil, wallet: nil, sequence: nil, origin: origin))
        let files = try await archive.close()
        #expect(files.count == 5)
        #expect(Set(files.map { ($0 as NSString).lastPathComponent }).count == 5, "\(files)")
        for file in files {
            let info = try #require(WARCFileReader.readAll(path: file).records.first?.record)
            #expect(info.headers[WARCField.filename] == (file as NSString).lastPathComponent)
            let text = String(decoding: info.block, as: UTF8.self)
            #expect(text.contains("recorder-id: names\r\n") && text.contains("redaction-key-id: k1\r\n") && text.contains("upstream: \(origin)\r\n"))
        }
        #expect(FileManager.default.createFile(atPath: root + "/_unbound/notes.txt", contents: Data("x".utf8)))
        #expect(FileManager.default.createFile(atPath: root + "/_unbound/a.warc.gz.open", contents: Data()))
        #expect(FileManager.default.createFile(atPath: root + "/_unbound/b.warc.gz.repairing", contents: Data()))
        let found = try ArchiveFiles.find(under: root)
        #expect(found == (files + [root + "/_unbound/a.warc.gz.open"]).sorted())
        #expect(try ArchiveFiles.find(under: root, includeOpen: false) == files.sorted())
    }
}
