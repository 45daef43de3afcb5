import AomiAPI
import Foundation
import Testing

@testable import Replayer

/// Matching on its own: what makes two requests the same key, and what does not.
@Suite struct RequestKeyTests {
    private let wallet = "0xAbCdEf0000000000000000000000000000000001"

    @Test func parameterOrderSpacingKeyOrderAndAddressCaseDoNotMatter() {
        let sent = RequestKey(method: "get", target: "/api/state?b=2&user_state=%7B%22address%22%3A%22\(wallet)%22%2C%20%22chain_id%22%3A1%7D&a=1", body: [])
        let recorded = RequestKey(method: "GET", target: "/api/state?a=1&user_state={\"chain_id\":1,\"address\":\"\(wallet.lowercased())\"}&b=2", body: [])
        #expect(sent == recorded)
        #expect(sent.route == "GET /api/state")
    }

    @Test func valuesPathsAndBodiesThatDifferMakeOtherKeys() {
        let base = RequestKey(method: "POST", target: "/api/chat?message=hi", body: Array(#"{"a":1}"#.utf8))
        #expect(base != RequestKey(method: "POST", target: "/api/chat?message=ho", body: Array(#"{"a":1}"#.utf8)))
        #expect(base != RequestKey(method: "POST", target: "/api/chats?message=hi", body: Array(#"{"a":1}"#.utf8)))
        #expect(base != RequestKey(method: "POST", target: "/api/chat?message=hi", body: Array(#"{"a":2}"#.utf8)))
        #expect(base != RequestKey(method: "PUT", target: "/api/chat?message=hi", body: Array(#"{"a":1}"#.utf8)))
        #expect(base == RequestKey(method: "POST", target: "/api/chat?message=hi", body: Array(#"{ "a" : 1 }"#.utf8)))
    }

    @Test func volatileValuesAreLeftOutAndNamedHeadersTakePart() {
        let first = RequestKey(method: "POST", target: "/api/secrets?client_id=one", body: [])
        let second = RequestKey(method: "POST", target: "/api/secrets?client_id=two", body: [])
        #expect(first == second, "client_id differs on every run")
        let rules = MatchRules(matchHeaders: ["Accept"])
        let json = RequestKey(method: "GET", target: "/x", body: [], fields: [.init(name: "Accept", value: "application/json")], rules: rules)
        let text = RequestKey(method: "GET", target: "/x", body: [], fields: [.init(name: "accept", value: "text/plain")], rules: rules)
        #expect(json != text)
        #expect(json.description == "GET /x [accept: application/json]")
    }

    @Test func sessionIdsInThePathAreReplacedWholeSegmentsOnly() {
        let key = RequestKey(method: "GET", target: "/api/sessions/client-1/messages", body: [])
        #expect(key.replacingSessions(["client-1": "recorded-9"]).path == "/api/sessions/recorded-9/messages")
        #expect(key.replacingSessions(["client": "recorded-9"]).path == "/api/sessions/client-1/messages")
        #expect(key.replacingSessions([:]) == key)
    }

    @Test func canonicalJSONSortsKeysLowersAddressesAndLeavesTextAlone() {
        #expect(CanonicalJSON.canonical(Array(#"{"b":[2,1],"a":{"d":"\#(wallet)","c":null}}"#.utf8)) == #"{"a":{"c":null,"d":"\#(wallet.lowercased())"},"b":[2,1]}"#)
        #expect(CanonicalJSON.canonical("not json") == "not json")
        #expect(CanonicalJSON.canonical(Array("not json {".utf8)) == "not json {")
        #expect(CanonicalJSON.canonical(wallet) == wallet.lowercased())
        #expect(CanonicalJSON.canonical(Array(#"{"message":{"txHash":"0x1","n":1}}"#.utf8), removing: [["message", "txHash"]]) == #"{"message":{"n":1}}"#)
        #expect(CanonicalJSON.canonical([UInt8]()) == "")
    }

    @Test func differencesNameWhatAMissChanged() {
        let recorded = RequestKey(method: "POST", target: "/api/chat?message=hello&public_key=0x1", body: [])
        let sent = RequestKey(method: "POST", target: "/api/chat?message=never%20said", body: [])
        let differences = recorded.differences(from: sent)
        #expect(differences.contains { $0.hasPrefix("parameter message: recorded \"hello\"") && $0.hasSuffix("sent \"never said\"") }, "\(differences)")
        #expect(differences.contains { $0.hasPrefix("parameter public_key: recorded \"0x1\", sent (absent)") }, "\(differences)")
        #expect(recorded.differences(from: recorded).isEmpty)
        let otherPath = RequestKey(method: "GET", target: "/api/state", body: [])
        #expect(otherPath.differences(from: sent).contains { $0.hasPrefix("path: recorded /api/state, sent /api/chat") })
    }

    @Test func sessionRewritingReplacesEveryRecordedIdAndNothingElse() {
        let rewrite = SessionRewrite([(recorded: "rec-1", client: "client-A"), (recorded: "rec-2", client: "client-B"), (recorded: "same", client: "same")])
        let body = Array(#"{"session_id":"rec-1","threads":["rec-2","rec-10","xrec-1"],"note":"rec-1 and rec-1","path":"/api/sessions/rec-2"}"#.utf8)
        #expect(
            String(decoding: rewrite.apply(body), as: UTF8.self)
                == #"{"session_id":"client-A","threads":["client-B","rec-10","xrec-1"],"note":"client-A and client-A","path":"/api/sessions/client-B"}"#,
            "whole ids only")
        let query = Array("/api/system?message=%7B%22id%22%3A%22rec-1%22%7D&x=rec-2".utf8)
        #expect(String(decoding: rewrite.apply(query), as: UTF8.self) == "/api/system?message=%7B%22id%22%3A%22client-A%22%7D&x=client-B", "a percent-escape is a boundary")
        #expect(rewrite.apply(Array("nothing here".utf8)) == Array("nothing here".utf8))
        #expect(rewrite.apply([]) == [])
        #expect(SessionRewrite([(recorded: "x", client: "x"), (recorded: "", client: "y")]).isEmpty)
    }
}
