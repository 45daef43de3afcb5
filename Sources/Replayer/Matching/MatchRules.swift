import AomiAPI

/// What takes part in matching a request besides its method, path, query and body: header
/// fields named with `--match-header`, and what does not: values that differ on every real run
/// of a client. By default those are `client_id` (a query parameter, or a member of a JSON
/// body) and the transaction hash and signature inside the JSON that `POST /api/system` carries
/// in its `message` parameter; `--ignore-param NAME` and `--ignore-json PATH` add more. A
/// value left out of the match is aliased instead: the replay writes the client's value where
/// the recording has its own, as it does with session ids.
public struct MatchRules: Sendable {
    /// Query parameters left out (and aliased).
    public static let volatileParameters = ["client_id"]
    /// JSON paths left out (and aliased): in a body, or, when the first step names a query
    /// parameter, inside the JSON that parameter carries.
    public static let volatileJSONPaths = ["client_id", "message.payload.txHash", "message.payload.signature"]

    /// Header fields that take part, lower-case.
    public var headerNames: Set<String>
    public var ignoredParameters: Set<String>
    public var ignoredPaths: [[String]]

    public init(matchHeaders: [String] = [], ignoreParameters: [String] = [], ignoreJSON: [String] = []) {
        headerNames = Set(matchHeaders.map { $0.lowercased() })
        ignoredParameters = Set(Self.volatileParameters + ignoreParameters)
        ignoredPaths = (Self.volatileJSONPaths + ignoreJSON).map { $0.split(separator: ".").map(String.init) }.filter { !$0.isEmpty }
    }

    /// The paths that reach into query parameter `name`'s JSON, without their first step.
    func paths(inParameter name: String) -> [[String]] {
        ignoredPaths.filter { $0.count > 1 && $0[0] == name }.map { Array($0.dropFirst()) }
    }

    /// Every volatile value a request carries, by where it was found (`?client_id`,
    /// `?message.payload.txHash`, `client_id` in the body): what aliasing pairs up.
    func volatileValues(target: String, body: [UInt8]) -> [String: String] {
        var values: [String: String] = [:]
        for parameter in QueryString.parameters(of: target) {
            if ignoredParameters.contains(parameter.name) {
                values["?" + parameter.name] = parameter.value
                continue
            }
            let inner = paths(inParameter: parameter.name)
            guard !inner.isEmpty, let json = CanonicalJSON.value(parameter.value) else { continue }
            for path in inner {
                if let value = json.string(at: path) { values["?" + parameter.name + "." + path.joined(separator: ".")] = value }
            }
        }
        if !ignoredPaths.isEmpty, !body.isEmpty, let json = try? JSONCoding.decode(JSONValue.self, from: body) {
            for path in ignoredPaths {
                if let value = json.string(at: path) { values[path.joined(separator: ".")] = value }
            }
        }
        return values
    }
}

extension JSONValue {
    /// The string at `path` (object members), if there is one.
    func string(at path: [String]) -> String? {
        var current = self
        for step in path {
            guard let next = current[step] else { return nil }
            current = next
        }
        return current.stringValue
    }

    /// The document without the members at `paths`.
    func removing(_ paths: [[String]]) -> JSONValue {
        guard case var .object(members) = self else { return self }
        for path in paths where !path.isEmpty {
            if path.count == 1 {
                members[path[0]] = nil
            } else if let child = members[path[0]] {
                members[path[0]] = child.removing([Array(path.dropFirst())])
            }
        }
        return .object(members)
    }
}
