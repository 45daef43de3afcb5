import AomiAPI
import Foundation
import WARC

/// Writes an archive root shaped like the recorder's output, fast: per thread a session
/// creation, an updates stream with events, and per turn a chat exchange, a poll holding the
/// final reply and a repeated poll written as a revisit. Snapshots carry the whole history,
/// as the real backend's do; a reply appears first streaming (a prefix), then final.
struct ArchiveGenerator {
    let root: String
    let wallets: Int
    let threads: Int
    let messagesPerThread: Int
    /// The gzip level of each record's member: 0 (stored) is how the recorder writes live files.
    let level: Int32
    let origin = "http://127.0.0.1:8080"

    private static let words = """
        the price of eth is trading at around dollars with a daily change of percent your portfolio holds usdc wbtc \
        and some governance tokens on arbitrum and base i can prepare a swap for you please confirm the transaction \
        in your wallet gas fees are low right now the pool has deep liquidity slippage tolerance set to half a percent \
        bridge funds from mainnet to optimism staking rewards accrue every epoch let me check the latest quote from \
        the aggregator route found via uniswap and curve failed swap reverted because of slippage retry with more gas
        """.split(separator: " ").map(String.init)

    /// Generates wallets `range` (one writer per wallet folder).
    func generate(wallets range: Range<Int>) async throws -> Int {
        var random = SeededRandom(state: UInt64(range.lowerBound) &+ 17)
        var records = 0
        let threadsPerWallet = threads / wallets
        for wallet in range {
            let address = String(format: "0x%040x", wallet &* 2_654_435_761 & 0xffff_ffff_ffff)
            let writer = try WARCWriter(
                configuration: WARCWriterConfiguration(
                    directory: root + "/" + address, writerID: "bench", compressionLevel: level, fsync: .never, linksWarcinfo: false))
            for thread in 0..<threadsPerWallet {
                records += try await writeThread(wallet: address, number: wallet * threadsPerWallet + thread, writer: writer, random: &random)
            }
            _ = try await writer.close()
        }
        return records
    }

    private func writeThread(wallet: String, number: Int, writer: WARCWriter, random: inout SeededRandom) async throws -> Int {
        let session = String(format: "%08x-0000-4000-8000-%012x", number, number)
        var clock = Int64(1_790_000_000_000_000) + Int64(number) * 10_000_000_000
        func tick() -> String {
            clock += Int64(random.int(in: 1_000...400_000))
            return WARCDate(microsecondsSince1970: clock).description
        }
        var records: [WARCRecord] = []
        var written = 0
        var sequence = 0
        func exchange(_ method: String, _ target: String, body: String, answer: String) {
            sequence += 1
            let request = record(
                .request, target: target, session: session, wallet: wallet, sequence: sequence, date: tick(),
                block: "\(method) \(target) HTTP/1.1\r\nX-Session-Id: \(session)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            ).completed()
            let response = record(
                .response, target: target, session: session, wallet: wallet, sequence: sequence, date: tick(),
                block: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(answer.utf8.count)\r\n\r\n\(answer)",
                extra: [(WARCField.concurrentTo, request.recordID!)]
            ).completed()
            records += [request, response]
        }
        exchange("POST", "/api/sessions", body: #"{"public_key":"\#(wallet)"}"#, answer: #"{"session_id":"\#(session)","title":"New chat"}"#)
        sequence += 1
        let updates = record(
            .request, target: "/api/updates", session: session, wallet: wallet, sequence: sequence, date: tick(),
            block: "GET /api/updates HTTP/1.1\r\nX-Session-Id: \(session)\r\n\r\n"
        ).completed()
        let origin = record(
            .response, target: "/api/updates", session: session, wallet: wallet, sequence: sequence, date: tick(),
            block: "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",
            extra: [(WARCField.concurrentTo, updates.recordID!), (WARCField.segmentNumber, "1")]
        ).completed()
        records += [updates, origin]
        var segments = 1
        var streamLength = origin.block.count
        func event(_ json: String) {
            segments += 1
            let block = Array("data: \(json)\n\n".utf8)
            streamLength += block.count
            records.append(
                WARCRecord(
                    type: .continuation,
                    headers: [
                        (WARCField.targetURI, self.origin + "/api/updates"), (WARCField.date, tick()), (WARCField.segmentOriginID, origin.recordID!),
                        (WARCField.segmentNumber, String(segments)), ("Aomi-Session-Id", session), ("Aomi-Wallet", wallet),
                    ], block: block))
        }
        var history: [String] = []
        var title = "New chat"
        for turn in 0..<(messagesPerThread / 2) {
            let question = sentence(random.int(in: 5...14), &random) + (turn % 7 == 3 ? " tx\(number)x\(turn)" : "")
            let reply = sentence(random.int(in: 10...40), &random)
            let partial = reply.split(separator: " ").prefix(3).joined(separator: " ")
            let stamp = WARCDate(microsecondsSince1970: clock).description
            history.append(message("user", question, stamp, streaming: false))
            let chat = snapshot(history + [message("agent", partial, stamp, streaming: true)], title: title, processing: true)
            exchange("POST", "/api/chat?message=" + question.replacingOccurrences(of: " ", with: "%20"), body: "", answer: chat)
            event(#"{"type":"tool_update","session_id":"\#(session)","tool_name":"get_price","progress":50}"#)
            if turn == 0 {
                title = sentence(3, &random).capitalized
                event(#"{"type":"title_changed","session_id":"\#(session)","new_title":"\#(title)"}"#)
            }
            history.append(message("agent", reply, stamp, streaming: false))
            let final = snapshot(history, title: title, processing: false)
            exchange("GET", "/api/state", body: "", answer: final)
            let original = records[records.count - 1]
            sequence += 1
            let poll = record(
                .request, target: "/api/state", session: session, wallet: wallet, sequence: sequence, date: tick(),
                block: "GET /api/state HTTP/1.1\r\nX-Session-Id: \(session)\r\n\r\n"
            ).completed()
            let revisit = record(
                .revisit, target: "/api/state", session: session, wallet: wallet, sequence: sequence, date: tick(),
                block: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(final.utf8.count)\r\n\r\n",
                extra: [
                    (WARCField.concurrentTo, poll.recordID!), (WARCField.profile, WARCValue.identicalPayloadDigestProfile),
                    (WARCField.refersTo, original.recordID!), (WARCField.payloadDigest, original.headers[WARCField.payloadDigest]!),
                ])
            records += [poll, revisit]
            if records.count > 64 {
                written += records.count
                try await writer.write(records)
                records.removeAll(keepingCapacity: true)
            }
        }
        segments += 1
        records.append(
            WARCRecord(
                type: .continuation,
                headers: [
                    (WARCField.targetURI, self.origin + "/api/updates"), (WARCField.date, tick()), (WARCField.segmentOriginID, origin.recordID!),
                    (WARCField.segmentNumber, String(segments)), (WARCField.segmentTotalLength, String(streamLength)), ("Aomi-Stream-End", "client-closed"),
                ], block: []))
        try await writer.write(records)
        return written + records.count
    }

    private func record(
        _ type: WARCRecordType, target: String, session: String, wallet: String, sequence: Int, date: String, block: String,
        extra: [(String, String)] = []
    ) -> WARCRecord {
        WARCRecord(
            type: type,
            headers: [
                (WARCField.targetURI, origin + target), (WARCField.date, date),
                (WARCField.contentType, type == .request ? WARCValue.httpRequestContentType : WARCValue.httpResponseContentType),
                ("Aomi-Session-Id", session), ("Aomi-Wallet", wallet), ("Aomi-Exchange-Seq", String(sequence)),
            ] + extra, block: Array(block.utf8))
    }

    private func message(_ sender: String, _ content: String, _ stamp: String, streaming: Bool) -> String {
        #"{"content":"\#(content)","is_streaming":\#(streaming),"sender":"\#(sender)","timestamp":"\#(stamp)","tool_result":null}"#
    }

    private func snapshot(_ messages: [String], title: String, processing: Bool) -> String {
        #"{"is_processing":\#(processing),"messages":[\#(messages.joined(separator: ","))],"system_events":[],"title":"\#(title)","user_state":null}"#
    }

    /// Words of a chat: about half from the domain vocabulary above, the rest from 20,000
    /// made-up words drawn with a Zipf-like skew, so that some words are in most threads and
    /// most words in few, as in real text.
    private func sentence(_ count: Int, _ random: inout SeededRandom) -> String {
        (0..<count).map { _ in
            if random.next() % 2 == 0 { return Self.words[random.int(in: 0...(Self.words.count - 1))] }
            let rank = Int(pow(Double(random.next() % 1_000_000) / 1_000_000, 3) * Double(Self.lexicon.count))
            return Self.lexicon[min(rank, Self.lexicon.count - 1)]
        }.joined(separator: " ")
    }

    /// 20,000 pronounceable made-up words (`kavo`, `rendusa`, …), the same every run.
    static let lexicon: [String] = {
        let onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "st", "tr", "pl"]
        let vowels = ["a", "e", "i", "o", "u", "ai", "ou"]
        var random = SeededRandom(state: 99)
        var words = Set<String>()
        while words.count < 20_000 {
            let syllables = random.int(in: 2...4)
            words.insert((0..<syllables).map { _ in onsets[random.int(in: 0...(onsets.count - 1))] + vowels[random.int(in: 0...(vowels.count - 1))] }.joined())
        }
        return words.sorted()
    }()
}
