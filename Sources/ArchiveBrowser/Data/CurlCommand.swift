/// An exchange's request as a `curl` command to paste in a shell (mitmweb's "copy as curl"):
/// the method, the recorded URL, every header but those curl sets itself, and the body.
/// Redaction tokens stay tokens: the recording never held the secret.
enum CurlCommand {
    static let headersCurlSets: Set<String> = ["host", "content-length", "connection", "accept-encoding", "transfer-encoding"]

    static func make(method: String, uri: String, fields: [(name: String, value: String)], body: [UInt8]) -> String {
        var parts = ["curl"]
        if method != "GET" || !body.isEmpty { parts.append("-X " + BrowserData.singleQuoted(method)) }
        parts.append(BrowserData.singleQuoted(uri))
        for field in fields where !headersCurlSets.contains(field.name.lowercased()) {
            parts.append("-H " + BrowserData.singleQuoted("\(field.name): \(field.value)"))
        }
        if !body.isEmpty { parts.append("--data-binary " + BrowserData.singleQuoted(String(decoding: body, as: UTF8.self))) }
        return parts.joined(separator: " \\\n  ")
    }
}
