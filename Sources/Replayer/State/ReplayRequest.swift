import AomiArchive
import WARC

/// A request as a client sent it to the replay. Its fields are of the type recorded requests
/// have, so the two compare without conversion.
public struct ReplayRequest: Sendable {
    public var method: String
    public var target: String
    public var fields: [HTTPMessageHead.Field]
    public var body: [UInt8]

    public init(method: String, target: String, fields: [HTTPMessageHead.Field], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.fields = fields
        self.body = body
    }

    public func value(_ name: String) -> String? {
        fields.first { WARCHeaders.namesMatch($0.name, name) }?.value
    }

    public var path: String { String(target.prefix { $0 != "?" }) }
}
