extension WARCInspector {
    /// The column titles of `line(for:)`.
    public func headerLine() -> String {
        var columns = [pad("offset", 10, right: true), pad("length", 8, right: true), pad("type", 12), pad("date", 27), pad("target-uri", 44)]
        columns += extraFields.map { $0 }
        return columns.joined(separator: "  ")
    }

    /// One record as a line of the listing; `-` stands for a missing field. A record inside a
    /// bundle shows the bundle's offset and its position in the bundle (`369+1024`).
    public func line(for entry: Entry) -> String {
        var columns = [
            pad(String(entry.offset) + (entry.bundlePosition.map { "+\($0)" } ?? ""), 10, right: true),
            pad(String(entry.length), 8, right: true),
            pad(entry.type, 12),
            pad(entry.date ?? "-", 27),
            pad(entry.targetURI ?? "-", 44),
        ]
        columns += extraFields.map { entry.fields[$0] ?? "-" }
        return columns.joined(separator: "  ")
    }

    /// The summary lines of a file.
    public func summaryLines(_ summary: Summary) -> [String] {
        let byType = summary.recordsByType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var lines = [
            "records: \(summary.records)" + (byType.isEmpty ? "" : " (\(byType))"),
            "bytes: \(summary.storedBytes) stored, \(summary.uncompressedBytes) uncompressed"
                + (summary.storedBytes > 0 ? ", ratio \(String(format2: summary.compressionRatio))" : ""),
        ]
        if summary.damage.isEmpty {
            lines.append("damage: none")
        } else {
            lines.append("damage: \(summary.damage.count)")
            lines += summary.damage.map { "  offset \($0.offset): \($0.kind.rawValue): \($0.reason) (\($0.length) bytes)" }
        }
        if !summary.unfinishedStreams.isEmpty {
            lines.append(
                "unfinished streams: \(summary.unfinishedStreams.count) without their last segment here (still being written, continued "
                    + "in a later file of the folder, or cut: `inspect --repair` ends them): " + summary.unfinishedStreams.joined(separator: ", "))
        }
        return lines
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard text.count < width else { return text }
        let fill = String(repeating: " ", count: width - text.count)
        return right ? fill + text : text + fill
    }
}

extension String {
    /// A number with two decimals, without Foundation's locale-dependent formatting.
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        self = "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
