import Foundation
import Synchronization

/// Record identifiers as WARC 1.1 writes them: `<urn:uuid:…>`, angle brackets included.
///
/// The ids are RFC 9562 version 8 UUIDs: 60 random bits drawn once per process, then a
/// counter. They are as unique as random ones across processes (a clash needs two processes
/// drawing the same 60 bits) and unique within one by construction; and the ids of one
/// session's records differ only in their last digits, so a compacted bundle stores each in a
/// few bytes instead of the 16 that a random UUID costs (a quarter of a compacted archive).
public enum WARCRecordID {
    /// A new record id, unique across processes.
    public static func make() -> String {
        let count = counter.add(1, ordering: .relaxed).oldValue
        return "<urn:uuid:\(format(prefix: prefix, count: count))>"
    }

    /// The id without its angle brackets, as warcio prints it.
    public static func bare(_ id: String) -> String {
        guard id.hasPrefix("<"), id.hasSuffix(">") else { return id }
        return String(id.dropFirst().dropLast())
    }

    /// 60 random bits for this process.
    private static let prefix = UInt64.random(in: 0..<(1 << 60))
    private static let counter = Atomic<UInt64>(0)

    /// `aaaaaaaa-aaaa-8bbb-Vccc-cccccccccccc`: `a`/`b` the prefix (48 + 12 bits), version 8,
    /// the RFC 4122 variant, then 62 bits of the counter.
    static func format(prefix: UInt64, count: UInt64) -> String {
        let high = (prefix >> 12) & 0xFFFF_FFFF_FFFF
        let middle = prefix & 0xFFF
        let low = count & 0x3FFF_FFFF_FFFF_FFFF
        let variant = 0x8000 | ((low >> 48) & 0x3FFF)
        // Written digit by digit into one buffer: this runs twice per recorded exchange.
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func put(_ value: UInt64, _ digits: Int) {
                for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                    buffer[position] = hexDigits[Int((value >> UInt64(shift)) & 0xF)]
                    position += 1
                }
            }
            func dash() {
                buffer[position] = UInt8(ascii: "-")
                position += 1
            }
            put(high >> 16, 8)
            dash()
            put(high & 0xFFFF, 4)
            dash()
            put(0x8000 | middle, 4)
            dash()
            put(variant, 4)
            dash()
            put(low & 0xFFFF_FFFF_FFFF, 12)
            return position
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
