import AomiAPI

extension RequestKey {
    /// The key as a miss may show it: secret query parameters, header fields and body values
    /// (`SecretFields`) replaced by their redaction tokens (or `redacted` without the archive's
    /// key), so that neither the 404 body nor the log repeats a secret the client sent.
    func hidingSecrets(tokens: SecretTokens) -> RequestKey {
        let hide = { (value: String) in SecretTokens.isToken(value) ? value : tokens.token(for: value) ?? "redacted" }
        var key = self
        key.parameters = parameters.map { SecretFields.queryParameters.contains($0.name) ? Parameter(name: $0.name, value: hide($0.value)) : $0 }
        key.headers = headers.map { SecretFields.headers.contains($0.name) ? Parameter(name: $0.name, value: hide($0.value)) : $0 }
        let paths = SecretFields.bodyPaths.filter { $0.requestPath == path }.map(\.path)
        if !paths.isEmpty, let json = CanonicalJSON.value(body) {
            key.body = String(decoding: JSONCoding.encode(Self.hiding(json, at: paths, from: [], with: hide)), as: UTF8.self)
        }
        return key
    }

    private static func hiding(_ value: JSONValue, at paths: [[String]], from path: [String], with hide: (String) -> String) -> JSONValue {
        switch value {
        case let .string(text): paths.contains { SecretFields.matches($0, path) } ? .string(hide(text)) : value
        case let .object(members): .object(Dictionary(uniqueKeysWithValues: members.map { ($0.key, hiding($0.value, at: paths, from: path + [$0.key], with: hide)) }))
        case let .array(items): .array(items.enumerated().map { hiding($0.element, at: paths, from: path + [String($0.offset)], with: hide) })
        default: value
        }
    }
}
