/// The named fields of a WARC record header, in the order they were written or read.
///
/// Field names compare case-insensitively, as WARC 1.1 (section 4) requires; the spelling
/// given when a field was added is the one serialized.
public struct WARCHeaders: Sendable, Equatable {
    /// One `Name: value` line.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    public init(_ pairs: [(String, String)]) {
        self.fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// The value of the first field with this name, if any.
    public subscript(name: String) -> String? {
        get { fields.first { Self.namesMatch($0.name, name) }?.value }
        set {
            if let newValue { set(name, newValue) } else { remove(name) }
        }
    }

    /// Every value of the fields with this name, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { Self.namesMatch($0.name, name) }
    }

    /// Appends a field, keeping any earlier one of the same name.
    public mutating func append(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces the value of the first field with this name in place, or appends the field.
    public mutating func set(_ name: String, _ value: String) {
        if let index = fields.firstIndex(where: { Self.namesMatch($0.name, name) }) {
            fields[index].value = value
            let later = fields.indices.dropFirst(index + 1).filter { Self.namesMatch(fields[$0].name, name) }
            for duplicate in later.reversed() { fields.remove(at: duplicate) }
        } else {
            append(name, value)
        }
    }

    /// Inserts a field at a position, keeping any other field of the same name.
    public mutating func insert(_ name: String, _ value: String, at index: Int) {
        fields.insert(Field(name: name, value: value), at: min(index, fields.count))
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    /// ASCII case-insensitive comparison (field names are ASCII tokens), without allocating:
    /// how WARC and HTTP field names compare.
    public static func namesMatch(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil):
                return true
            case let (x?, y?):
                if x == y { continue }
                if x | 0x20 != y | 0x20 || !(0x61...0x7A).contains(x | 0x20) { return false }
            default:
                return false
            }
        }
    }
}
