import AomiAPI
import Foundation
import Testing

@testable import ArchiveIndex

/// The index's JSON scanners and time expressions on their own, good input and bad.
@Suite struct ScannerAndTimeTests {
    private func scan<T>(_ text: String, _ body: (JSONScanner) -> T) -> T {
        Array(text.utf8).withUnsafeBufferPointer { body(JSONScanner(bytes: $0)) }
    }

    @Test func topLevelValuesAndArrayElementsAreFoundWithoutDecoding() {
        let text = #"{"title":"Swap \"ETH\"","messages":[{"a":1},{"b":[2,3]},"x",null],"n":-1.5e3}"#
        let values = scan(text) { $0.topLevelValues(for: ["title", "messages", "n"]) }
        let ranges = try! #require(values)
        let bytes = Array(text.utf8)
        func slice(_ range: Range<Int>?) -> String { range.map { String(decoding: bytes[$0], as: UTF8.self) } ?? "nil" }
        #expect(slice(ranges["title"]) == #""Swap \"ETH\"""#)
        #expect(slice(ranges["n"]) == "-1.5e3")
        let elements = scan(text) { $0.elements(of: ranges["messages"]!) }
        #expect(elements?.map { slice($0) } == [#"{"a":1}"#, #"{"b":[2,3]}"#, #""x""#, "null"])
        #expect(scan(text) { $0.string(ranges["title"]!) } == #"Swap "ETH""#)
        #expect(scan(text) { $0.valueStart(ofKey: "n") }.map { bytes[$0] } == UInt8(ascii: "-"))
    }

    @Test func brokenDocumentsAreNilNeverALoop() {
        for broken in [#"{"messages":[1,}]}"#, #"{"messages":[}"#, #"{"messages":["open]}"#, #"{"a" 1}"#, "[1,2]", "", #"{"messages":[]"#, #"{"a":}"#] {
            let values = scan(broken) { $0.topLevelValues(for: ["messages", "a"]) }
            if let range = values?["messages"] {
                #expect(scan(broken) { $0.elements(of: range) } == nil, "\(broken)")
            }
        }
        #expect(scan(#"[1,}"#) { $0.remainingElements(from: 1) } == nil)
    }

    @Test func messageFieldsComeFromTheScanner() {
        let message = Array(#"{"sender":"agent","content":"Done: \u0031 swap","tool_result":null,"timestamp":"2026-11-29T10:00:00Z"}"#.utf8)
        let fields = MessageScanner.fields(of: message[...])
        #expect(fields?.sender == "agent")
        #expect(fields?.content == "Done: 1 swap")
        #expect(fields?.toolResult == nil)
        #expect(fields?.timestamp == "2026-11-29T10:00:00Z")
        #expect(MessageScanner.fields(of: Array(#"{"content":"no sender"}"#.utf8)[...]) == nil)
    }

    @Test func timesAreISOOrRelativeAndNothingElse() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try TimeExpression.parse("2026-11-26", now: now).hasPrefix("2026-11-26T00:00:00"))
        #expect(try TimeExpression.parse("2026-11-26T10:20:30Z", now: now).hasPrefix("2026-11-26T10:20:30"))
        #expect(try TimeExpression.parse("2026-11-26T10:20:30.5Z", now: now).hasPrefix("2026-11-26T10:20:30.5"))
        #expect(try TimeExpression.parse("30m", now: now) == TimeExpression.format(now.addingTimeInterval(-1800)))
        #expect(try TimeExpression.parse(" 2w ", now: now) == TimeExpression.format(now.addingTimeInterval(-1_209_600)))
        #expect(try TimeExpression.parse("1.5h", now: now) == TimeExpression.format(now.addingTimeInterval(-5400)))
        for bad in ["yesterday", "7x", "-3d", "2026-13-45", "", "d"] {
            #expect(throws: IndexError.self, "\(bad)") { try TimeExpression.parse(bad, now: now) }
        }
    }

    @Test func aTimeBeyondTheYearsOneTo9999IsRefusedNotATrap() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        // These trapped converting to microseconds, or named a year before 1 (99999999d was -271764).
        for far in ["99999999999d", "99999999999w", "1e9d", "1000000000d", "99999999d", "1e300s", "inf" + "s"] {
            do {
                let parsed = try TimeExpression.parse(far, now: now)
                Issue.record("\(far) was taken for \(parsed)")
            } catch {
                #expect(error.description == IndexError.timeOutOfRange(far).description)
            }
        }
        #expect(try TimeExpression.parse("700000d", now: now) == TimeExpression.format(now.addingTimeInterval(-700_000 * 86_400)), "a span that stays after year 1 is a time")
        #expect(try TimeExpression.parse("700000d", now: now).hasPrefix("0110-"))
        #expect(IndexError.timeOutOfRange("1e9d").description == #"time "1e9d" lies outside the years 1 to 9999"#)
    }
}
