import WARC

/// Deterministic request/response pairs shaped like recorded Aomi polling: `GET /api/state`
/// and `POST /api/chat` with JSON snapshots of 0.5–4 KB holding chat messages.
struct TrafficGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    private mutating func nextRandom() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    private mutating func random(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(nextRandom() % UInt64(range.count))
    }

    private static let words = """
        the price of ETH is currently trading at around dollars with a daily change of percent \
        your portfolio holds USDC WBTC and some governance tokens on arbitrum and base I can \
        prepare a swap for you please confirm the transaction in your wallet gas fees are low \
        right now the pool has deep liquidity slippage tolerance set to half a percent bridge \
        funds from mainnet to optimism staking rewards accrue every epoch let me check the \
        latest quote from the aggregator route found via uniswap and curve
        """.split(separator: " ").map(String.init)

    private mutating func sentence(words count: Int) -> String {
        (0..<count).map { _ in Self.words[random(0...(Self.words.count - 1))] }.joined(separator: " ")
    }

    private mutating func snapshot(targetBytes: Int) -> String {
        var messages: [String] = []
        var size = 120
        var sender = 0
        while size < targetBytes {
            let text = sentence(words: random(8...60))
            let who = ["user", "agent", "agent"][sender % 3]
            let message = #"{"sender":"\#(who)","content":"\#(text)","timestamp":"2026-11-26T10:\#(10 + sender % 50):0\#(sender % 10)Z","is_streaming":false,"tool_result":null}"#
            messages.append(message)
            size += message.utf8.count + 1
            sender += 1
        }
        let wallet = String(format: "%040x", random(0...Int(Int32.max)))
        return
            #"{"messages":[\#(messages.joined(separator: ","))],"system_events":[],"title":"\#(sentence(words: 3))","is_processing":false,"user_state":{"address":"0x\#(wallet)","chain_id":1,"is_connected":true}}"#
    }

    mutating func pairs(count: Int) -> [(WARCRecord, WARCRecord)] {
        (0..<count).map { index in
            let session = "5b0c7a6e-\(String(format: "%04x", index % 9000))-4000-8000-\(String(format: "%012x", index))"
            let isChat = index % 5 == 0
            let path = isChat ? "/api/chat?message=\(sentence(words: 4).replacingOccurrences(of: " ", with: "%20"))" : "/api/state"
            let uri = "http://127.0.0.1:8080" + path
            let requestHead =
                "\(isChat ? "POST" : "GET") \(path) HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-Session-Id: \(session)\r\nAccept: application/json\r\nUser-Agent: aomi-widget/1.4\r\n\r\n"
            let body = snapshot(targetBytes: random(512...4096))
            let responseHead = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nDate: Thu, 26 Nov 2026 10:00:00 GMT\r\n\r\n"
            let request = WARCRecord(
                type: .request,
                headers: [
                    (WARCField.targetURI, uri), (WARCField.contentType, WARCValue.httpRequestContentType),
                    ("Aomi-Session-Id", session), ("Aomi-Exchange-Seq", String(index)),
                ], block: Array(requestHead.utf8))
            let response = WARCRecord(
                type: .response,
                headers: [
                    (WARCField.targetURI, uri), (WARCField.contentType, WARCValue.httpResponseContentType),
                    ("Aomi-Session-Id", session), ("Aomi-Exchange-Seq", String(index)),
                ], block: Array((responseHead + body).utf8))
            return (request, response)
        }
    }
}
