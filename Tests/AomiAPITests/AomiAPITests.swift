import AomiAPI
import Testing

@Suite struct WalletAddressTests {
    @Test func addressesAreValidatedAndLowerCased() {
        #expect(WalletAddress("0x742d35Cc6634C0532925a3b844Bc9e7595f2bD68")?.value == "0x742d35cc6634c0532925a3b844bc9e7595f2bd68")
        #expect(WalletAddress("0X742D35CC6634C0532925A3B844BC9E7595F2BD68") == WalletAddress("0x742d35cc6634c0532925a3b844bc9e7595f2bd68"))
        #expect(WalletAddress("0x742d35Cc6634C0532925a3b844Bc9e7595f2bD6") == nil)
        #expect(WalletAddress("0x742d35Cc6634C0532925a3b844Bc9e7595f2bD6g") == nil)
        #expect(WalletAddress("742d35Cc6634C0532925a3b844Bc9e7595f2bD6800") == nil)
        #expect(WalletAddress("") == nil)
    }

    @Test func walletIsFoundInBothUserStateShapes() {
        let real = #"{"address":"0xABCDEF0000000000000000000000000000000001","chain_id":1,"is_connected":true}"#
        let documented = #"{"connection":{"is_connected":true},"evm":{"address":"0xabcdef0000000000000000000000000000000002","chain_id":1}}"#
        #expect(WalletAddress.find(inUserStateText: real)?.value == "0xabcdef0000000000000000000000000000000001")
        #expect(WalletAddress.find(inUserStateText: documented)?.value == "0xabcdef0000000000000000000000000000000002")
        #expect(WalletAddress.find(inUserStateText: #"{"address":"not-a-wallet"}"#) == nil)
        #expect(WalletAddress.find(inUserStateText: "not json") == nil)
    }
}

@Suite struct ServerSentEventParserTests {
    @Test func eventsAreSplitOnBlankLinesWhateverTheChunking() {
        let stream = Array("data: {\"type\":\"a\",\"session_id\":\"s\"}\r\n\r\n: ping\n\ndata: line1\ndata: line2\n\n".utf8)
        for cut in 0...stream.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(stream[..<cut]) + parser.feed(stream[cut...])
            #expect(events.map(\.data) == [#"{"type":"a","session_id":"s"}"#, nil, "line1\nline2"], "cut at \(cut)")
            #expect(events.flatMap(\.raw) == stream)
            #expect(parser.remainder.isEmpty)
        }
    }

    @Test func anUnfinishedEventStaysInTheRemainder() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: x\n\ndata: y".utf8)).count == 1)
        #expect(parser.remainder == Array("data: y".utf8))
    }

    @Test func updateEventsDecodeFromTheirJSON() {
        let event = ServerSentEvent.json(UpdateEvent(type: UpdateEvent.Kind.titleChanged, sessionID: "s", newTitle: "ETH"))
        #expect(String(decoding: event.raw, as: UTF8.self) == "data: {\"new_title\":\"ETH\",\"session_id\":\"s\",\"type\":\"title_changed\"}\n\n")
        #expect(event.updateEvent?.newTitle == "ETH")
        #expect(ServerSentEvent.comment("ping").updateEvent == nil)
    }
}

@Suite struct SessionSnapshotTests {
    @Test func theRealClientsSnapshotShapeDecodes() throws {
        let json = """
            {"messages":[{"sender":"user","content":"hi","timestamp":"t","is_streaming":false,"tool_result":null},
            {"sender":"agent","content":"ETH is $3","is_streaming":true,"tool_result":["price:ETH","ETH trades at $3"]}],
            "system_events":[{"SystemNotice":"hello"},{"InlineCall":{"type":"wallet_tx_request","payload":{"to":"0x1"}}}],
            "title":"T","is_processing":true,"user_state":{"address":"0x1"}}
            """
        let snapshot = try JSONCoding.decode(SessionSnapshot.self, from: Array(json.utf8))
        #expect(snapshot.messages.count == 2)
        #expect(snapshot.messages[1].isStreaming)
        #expect(snapshot.messages[1].toolResult == ["price:ETH", "ETH trades at $3"])
        #expect(snapshot.walletRequests == [.object(["to": .string("0x1")])])
        #expect(snapshot.isProcessing)
        let again = try JSONCoding.decode(SessionSnapshot.self, from: JSONCoding.encode(snapshot))
        #expect(again == snapshot)
    }
}

@Suite struct RequestIdentityTests {
    private func identity(_ method: String, _ target: String, session: String? = "s", body: String = "") -> RequestIdentity {
        RequestIdentity(method: method, target: target, header: { $0.lowercased() == "x-session-id" ? session : nil }, body: Array(body.utf8))
    }

    @Test func walletsAreFoundWhereverTheClientPutsThem() {
        let wallet = WalletAddress("0xabcdef0000000000000000000000000000000001")
        #expect(identity("GET", "/api/sessions?public_key=0xABCDEF0000000000000000000000000000000001").wallet == wallet)
        #expect(identity("POST", "/api/sessions", body: #"{"public_key":"0xAbcdef0000000000000000000000000000000001"}"#).wallet == wallet)
        let real = QueryStringTests.encode(#"{"address":"0xabcdef0000000000000000000000000000000001","chain_id":1}"#)
        let documented = QueryStringTests.encode(#"{"evm":{"address":"0xABCDEF0000000000000000000000000000000001"}}"#)
        #expect(identity("GET", "/api/state?user_state=\(real)").wallet == wallet)
        #expect(identity("POST", "/api/chat?message=hi&user_state=\(documented)").wallet == wallet)
        #expect(identity("POST", "/api/chat?message=hi").wallet == nil)
        #expect(identity("POST", "/api/other", body: #"{"public_key":"0xabcdef0000000000000000000000000000000001"}"#).wallet == nil)
        #expect(identity("GET", "/api/state").sessionID == "s")
        #expect(identity("GET", "/api/state", session: "").sessionID == nil)
    }
}

@Suite struct QueryStringTests {
    static func encode(_ text: String) -> String {
        text.utf8.map { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                ? String(UnicodeScalar(byte)) : String(format2: byte)
        }.joined()
    }

    @Test func parametersArePercentDecodedInOrder() {
        let parameters = QueryString.parameters(of: "/api/chat?message=What%20is%3F+now&app=&x")
        #expect(parameters.map(\.name) == ["message", "app", "x"])
        #expect(parameters.map(\.value) == ["What is? now", "", ""])
        #expect(QueryString.path(of: "/api/chat?x=1") == "/api/chat")
        #expect(QueryString.value("app", in: "/a?app=b%2") == "b%2")
        #expect(QueryString.parameters(of: "/api/state").isEmpty)
    }
}

extension String {
    fileprivate init(format2 byte: UInt8) {
        let digits = Array("0123456789ABCDEF")
        self = "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }
}

@Suite struct SecretFieldsTests {
    @Test func logLinesShowSecretQueryParametersRedacted() {
        #expect(SecretFields.loggable("/api/state?api_key=sk-1&x=1&token=t&client_id=c") == "/api/state?api_key=redacted&x=1&token=redacted&client_id=c")
        #expect(SecretFields.loggable("/api/state") == "/api/state")
        #expect(SecretFields.matches(["secrets", "*"], ["secrets", "API_KEY"]) && !SecretFields.matches(["secrets", "*"], ["secrets"]))
    }
}
