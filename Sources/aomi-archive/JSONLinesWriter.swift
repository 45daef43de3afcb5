import AomiAPI
import Foundation

/// Prints values as JSON Lines on standard output, each object with a few tag fields first.
struct JSONLinesWriter {
    private let encoder = JSONCoding.encoder()

    func write<Value: Encodable>(_ value: Value) {
        write([:], value)
    }

    func write<Value: Encodable>(_ tags: [String: String], _ value: Value) {
        guard let body = try? encoder.encode(value),
            var object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        else { return }
        for (key, tag) in tags { object[key] = tag }
        guard let line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        FileHandle.standardOutput.write(line + Data("\n".utf8))
    }
}
