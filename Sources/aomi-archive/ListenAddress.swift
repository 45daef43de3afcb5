import ArgumentParser

/// A `HOST:PORT` option value.
struct ListenAddress {
    var host: String
    var port: Int

    /// `flag` names the option in errors (`--listen 127.0.0.1:80801: …`).
    init(_ text: String, flag: String = "--listen") throws {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex else {
            throw ValidationError("\(flag) \(text): expected HOST:PORT, such as 127.0.0.1:8790")
        }
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ValidationError("\(flag) \(text): the port must be a number from 0 to 65535 (0 picks a free one), not \"\(portText)\"")
        }
        host = String(text[..<colon])
        self.port = port
    }

    /// `NAME=VALUE,NAME=VALUE` as a dictionary.
    static func keyValues(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: ",") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return result
    }
}
