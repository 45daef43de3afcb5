import Foundation

/// A fresh folder under the system temporary folder, removed when the value is dropped.
final class TemporaryDirectory {
    let path: String

    init(_ label: String = "warc-tests") {
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    func files(withSuffix suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map(file)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

func readBytes(_ path: String) -> [UInt8] {
    [UInt8](FileManager.default.contents(atPath: path) ?? Data())
}

func writeBytes(_ bytes: [UInt8], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}
