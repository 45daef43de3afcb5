import AomiAPI
import AomiArchive
import WARC

/// The header fields the index keeps, read in one pass over a record's header (names compared
/// case-insensitively, the common spelling first).
struct RecordFields {
    var recordID: String?
    var date: String?
    var targetURI: String?
    var payloadDigest: String?
    var session: String?
    var wallet: String?
    var exchangeSeq: Int?
    var capture: String?
    var refersTo: String?
    var concurrentTo: String?
    var segmentOrigin: String?
    var segmentNumber: Int?
    var streamEnd: String?
    var rerunOf: String?

    init(_ headers: WARCHeaders) {
        for field in headers.fields {
            switch Self.canonical(field.name) {
            case WARCField.recordID: recordID = field.value
            case WARCField.date: date = field.value
            case WARCField.targetURI: targetURI = field.value
            case WARCField.payloadDigest: payloadDigest = field.value
            case AomiField.sessionID: session = field.value
            case AomiField.wallet: wallet = field.value
            case AomiField.exchangeSeq: exchangeSeq = Int(field.value)
            case AomiField.capture: capture = field.value
            case WARCField.refersTo: refersTo = field.value
            case WARCField.concurrentTo: concurrentTo = field.value
            case WARCField.segmentOriginID: segmentOrigin = field.value
            case WARCField.segmentNumber: segmentNumber = Int(field.value)
            case AomiField.streamEnd: streamEnd = field.value
            case AomiField.rerunOf: rerunOf = field.value
            default: break
            }
        }
    }

    private static let known = [
        WARCField.recordID, WARCField.date, WARCField.targetURI, WARCField.payloadDigest, AomiField.sessionID,
        AomiField.wallet, AomiField.exchangeSeq, AomiField.capture, WARCField.refersTo, WARCField.concurrentTo,
        WARCField.segmentOriginID, WARCField.segmentNumber, AomiField.streamEnd, AomiField.rerunOf,
    ]
    private static let byLowercase = Dictionary(uniqueKeysWithValues: known.map { ($0.lowercased(), $0) })

    /// The field's name as the switch spells it: as written by aomi-archive and warcio in the
    /// common case, found by its lower-case form otherwise.
    private static func canonical(_ name: String) -> String {
        if known.contains(name) { return name }
        return byLowercase[name.lowercased()] ?? name
    }
}
