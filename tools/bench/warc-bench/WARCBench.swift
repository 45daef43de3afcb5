import Foundation
import WARC

/// Writes and reads back realistic Aomi traffic (request/response pairs with 0.5–4 KB JSON
/// snapshots) and prints MB/s (uncompressed bytes per second), compression ratio and peak RSS.
///
///     warc-bench write --megabytes 200 --out DIR [--level 6]
///     warc-bench read FILE
@main
struct WARCBench {
    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let mode = arguments.first else { return usage() }
        arguments.removeFirst()
        switch mode {
        case "write":
            let megabytes = Int(value(of: "--megabytes", in: arguments) ?? "200") ?? 200
            let level = Int32(value(of: "--level", in: arguments) ?? "6") ?? 6
            let out = value(of: "--out", in: arguments) ?? NSTemporaryDirectory() + "warc-bench"
            try await write(megabytes: megabytes, level: level, directory: out)
        case "read":
            guard let path = arguments.first else { return usage() }
            try read(path: path)
        default:
            usage()
        }
    }

    static func usage() {
        print("usage: warc-bench write --megabytes N --out DIR [--level L] | warc-bench read FILE")
    }

    static func value(of flag: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    static func write(megabytes: Int, level: Int32, directory: String) async throws {
        try? FileManager.default.removeItem(atPath: directory)
        var generator = TrafficGenerator(seed: 42)
        let pool = generator.pairs(count: 4000)
        let writer = try WARCWriter(
            configuration: WARCWriterConfiguration(
                directory: directory, writerID: "bench", rotationBytes: .max, compressionLevel: level, fsync: .never))
        let target = Int64(megabytes) << 20
        let clock = ContinuousClock()
        let started = clock.now
        var index = 0
        while await writer.uncompressedBytes < target {
            let (request, response) = pool[index % pool.count]
            try await writer.write([request, response])
            index += 1
        }
        let files = try await writer.close()
        let seconds = (clock.now - started).seconds
        let uncompressed = await writer.uncompressedBytes
        let stored = await writer.storedBytes
        print("write: \(index * 2) records, \(mb(uncompressed)) MB uncompressed -> \(mb(stored)) MB stored in \(format(seconds)) s")
        print("write MB/s (uncompressed, level \(level)): \(format(Double(uncompressed) / 1_048_576 / seconds))")
        print("compression ratio: \(format(Double(uncompressed) / Double(stored)))")
        print("file: \(files[0])")
    }

    static func read(path: String) throws {
        let clock = ContinuousClock()
        let started = clock.now
        let reader = try WARCFileReader(path: path)
        var records = 0
        var damage = 0
        var blockBytes = 0
        for event in reader {
            switch event {
            case let .record(stored):
                records += 1
                blockBytes &+= stored.record.block.count
            case .damage:
                damage += 1
            }
        }
        let seconds = (clock.now - started).seconds
        print("read: \(records) records, \(damage) damage, \(mb(reader.uncompressedBytes)) MB uncompressed from \(mb(reader.fileSize)) MB in \(format(seconds)) s")
        print("read MB/s (uncompressed): \(format(Double(reader.uncompressedBytes) / 1_048_576 / seconds))")
        print("reader peak RSS: \(peakRSSMegabytes()) MB")
    }

    static func peakRSSMegabytes() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return "?" }
        return format(kilobytes / 1024)
    }

    static func mb(_ bytes: Int64) -> String { format(Double(bytes) / 1_048_576) }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
