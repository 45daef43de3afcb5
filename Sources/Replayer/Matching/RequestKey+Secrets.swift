import AomiAPI

extension RequestKey {
    /// The key as a miss may show it: the secret values it carries (query parameters, header
    /// fields and body values that `SecretFields` lists) replaced by their redaction tokens (or
    /// `redacted` without the archive's key), so that neither the 404 body nor the log repeats
    /// a secret the client sent. What it matches on is unchanged.
    func hidingSecrets(tokens: SecretTokens) -> RequestKey {
        guard var shown = unmasked else { return self }
        let hide = { (value: String) in SecretTokens.isToken(value) ? value : tokens.token(for: value) ?? "redacted" }
        shown.parameters = shown.parameters.map { SecretFields.isSecretQueryParameter($0.name) ? Parameter(name: $0.name, value: hide($0.value)) : $0 }
        shown.headers = shown.headers.map { SecretFields.headers.contains($0.name) ? Parameter(name: $0.name, value: hide($0.value)) : $0 }
        let paths = SecretFields.bodyPaths(forRequestPath: path)
        if !paths.isEmpty, let json = CanonicalJSON.value(shown.body) {
            shown.body = String(decoding: JSONCoding.encode(json.replacingStrings(at: paths, with: hide)), as: UTF8.self)
        }
        var key = self
        key.unmasked = shown
        return key
    }

    /// The query parameters and body a miss shows (secrets as the key holds them: tokens once hidden).
    var shownParameters: [Parameter] { unmasked?.parameters ?? parameters }
    var shownBody: String { unmasked?.body ?? body }
}

extension JSONValue {
    /// The document with every string at one of `paths` (`*` standing for any key or index)
    /// replaced by `replace` of it.
    func replacingStrings(at paths: [[String]], with replace: (String) -> String) -> JSONValue {
        replacingStrings(at: paths, from: [], with: replace)
    }

    private func replacingStrings(at paths: [[String]], from path: [String], with replace: (String) -> String) -> JSONValue {
        switch self {
        case let .string(text): paths.contains { SecretFields.matches($0, path) } ? .string(replace(text)) : self
        case let .object(members):
            .object(Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value.replacingStrings(at: paths, from: path + [$0.key], with: replace)) }))
        case let .array(items): .array(items.enumerated().map { $0.element.replacingStrings(at: paths, from: path + [String($0.offset)], with: replace) })
        default: self
        }
    }
}
