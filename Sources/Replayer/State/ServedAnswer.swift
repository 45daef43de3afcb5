import AomiArchive

/// A recorded answer as a replay keeps it: what goes back to the client (status line, the
/// fields it writes, the body or where to read it), nothing of the record it came from. One
/// per exchange of every session served, so it is kept small: equal field lists across a
/// folder's answers are one array (`FieldInterner`).
enum ServedAnswer: Sendable {
    /// A whole response.
    case response(status: Int, reason: String, fields: [HTTPMessageHead.Field], payload: Payload)
    /// The head of an updates stream, whose events the script's schedule holds.
    case stream(status: Int, reason: String, fields: [HTTPMessageHead.Field])

    init(_ answer: RecordedAnswer, interning fields: inout FieldInterner) {
        switch answer {
        case let .response(response):
            self = .response(status: response.status, reason: response.reason, fields: fields.served(response.fields), payload: response.payload)
        case let .stream(stream):
            self = .stream(status: stream.head.status, reason: stream.head.reason, fields: fields.served(stream.head.fields))
        }
    }
}

/// The fields a replay writes of a recorded answer (not the hop-by-hop ones, not
/// `Content-Length`, which it writes itself), one array per distinct list, so that the
/// thousands of answers of a folder that carry the same fields share them.
struct FieldInterner {
    private var lists: Set<[HTTPMessageHead.Field]> = []

    mutating func served(_ fields: [HTTPMessageHead.Field]) -> [HTTPMessageHead.Field] {
        lists.insert(fields.filter { !HopByHop.fieldsAndLength.contains($0.name.lowercased()) }).memberAfterInsert
    }
}
