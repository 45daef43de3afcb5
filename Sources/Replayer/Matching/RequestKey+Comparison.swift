import AomiAPI

extension RequestKey {
    /// Whether a request sent now matches this recorded one, recorded tokens standing for
    /// the secrets they replaced.
    func matches(sent: RequestKey, tokens: SecretTokens) -> Bool {
        if self == sent { return true }
        guard method == sent.method, path == sent.path, Self.values(parameters, match: sent.parameters, tokens: tokens),
            Self.values(headers, match: sent.headers, tokens: tokens)
        else { return false }
        return Self.value(body, matches: sent.body, tokens: tokens)
    }

    private static func values(_ recorded: [Parameter], match sent: [Parameter], tokens: SecretTokens) -> Bool {
        guard recorded.count == sent.count else { return false }
        for (name, recordedValues) in Dictionary(grouping: recorded, by: \.name) {
            let sentValues = sent.filter { $0.name == name }
            guard sentValues.count == recordedValues.count else { return false }
            for value in recordedValues where !sentValues.contains(where: { Self.value(value.value, matches: $0.value, tokens: tokens) }) {
                return false
            }
        }
        return true
    }

    private static func value(_ recorded: String, matches sent: String, tokens: SecretTokens) -> Bool {
        if recorded == sent { return true }
        if let left = CanonicalJSON.value(recorded), let right = CanonicalJSON.value(sent) { return tokens.matches(recorded: left, sent: right) }
        return tokens.matches(recorded: recorded, sent: sent)
    }

    /// What differs between this recorded request and one sent now, in words.
    func differences(from sent: RequestKey) -> [String] {
        var differences: [String] = []
        if method != sent.method { differences.append("method: recorded \(method), sent \(sent.method)") }
        if path != sent.path { differences.append("path: recorded \(path), sent \(sent.path)") }
        let recordedNames = Set(parameters.map(\.name))
        let sentNames = Set(sent.parameters.map(\.name))
        for name in recordedNames.union(sentNames).sorted() {
            let recordedValue = parameters.filter { $0.name == name }.map(\.value)
            let sentValue = sent.parameters.filter { $0.name == name }.map(\.value)
            if recordedValue != sentValue {
                differences.append("parameter \(name): recorded \(Self.show(recordedValue)), sent \(Self.show(sentValue))")
            }
        }
        let recordedHeaders = Set(headers.map(\.name))
        let sentHeaders = Set(sent.headers.map(\.name))
        for name in recordedHeaders.union(sentHeaders).sorted() {
            let recordedValue = headers.filter { $0.name == name }.map(\.value)
            let sentValue = sent.headers.filter { $0.name == name }.map(\.value)
            if recordedValue != sentValue {
                differences.append("header \(name): recorded \(Self.show(recordedValue)), sent \(Self.show(sentValue))")
            }
        }
        if body != sent.body { differences.append(contentsOf: Self.bodyDifferences(recorded: body, sent: sent.body)) }
        return differences
    }

    private static func show(_ values: [String]) -> String {
        guard !values.isEmpty else { return "(absent)" }
        return values.map { "\"\($0.count > 80 ? String($0.prefix(77)) + "..." : $0)\"" }.joined(separator: ", ")
    }

    private static func bodyDifferences(recorded: String, sent: String) -> [String] {
        guard case let .object(left)? = CanonicalJSON.value(recorded), case let .object(right)? = CanonicalJSON.value(sent) else {
            return ["body: recorded \(show([recorded].filter { !$0.isEmpty })), sent \(show([sent].filter { !$0.isEmpty }))"]
        }
        return Set(left.keys).union(right.keys).sorted().compactMap { field in
            guard left[field] != right[field] else { return nil }
            let show = { (value: JSONValue?) in value.map { String(decoding: JSONCoding.encode($0), as: UTF8.self) } ?? "(absent)" }
            return "body field \(field): recorded \(show(left[field])), sent \(show(right[field]))"
        }
    }
}
