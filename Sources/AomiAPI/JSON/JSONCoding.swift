import Foundation

/// The one JSON encoding every part of aomi-archive uses: sorted keys and no escaped
/// slashes, so the same value always gives the same bytes.
public enum JSONCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        // Encoding the API's own value types cannot fail: they hold only strings, numbers and arrays.
        (try? Array(encoder().encode(value))) ?? Array("null".utf8)
    }

    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: some Sequence<UInt8>) throws -> Value {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
