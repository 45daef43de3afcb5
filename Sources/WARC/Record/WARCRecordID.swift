import Foundation

/// Record identifiers as WARC 1.1 writes them: `<urn:uuid:…>`, angle brackets included.
public enum WARCRecordID {
    /// A new random record id.
    public static func make() -> String {
        "<urn:uuid:\(UUID().uuidString.lowercased())>"
    }

    /// The id without its angle brackets, as warcio prints it.
    public static func bare(_ id: String) -> String {
        guard id.hasPrefix("<"), id.hasSuffix(">") else { return id }
        return String(id.dropFirst().dropLast())
    }
}
