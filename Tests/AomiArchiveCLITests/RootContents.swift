import Foundation

/// What an archive root holds, byte for byte: for the tests of erasure (`forget`, `prune`).
enum RootContents {
    /// The files under `root` (archives, index, logs) whose bytes contain `text`; a gzip
    /// file (an archive) is searched as stored and decompressed, every member of it.
    static func holding(_ text: String, under root: String) -> [String] {
        let needle = Data(text.utf8)
        let walker = FileManager.default.enumerator(atPath: root)
        var found: [String] = []
        while let relative = walker?.nextObject() as? String {
            let path = root + "/" + relative
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            if data.range(of: needle) != nil || (data.starts(with: [0x1F, 0x8B]) && decompressed(path).range(of: needle) != nil) { found.append(relative) }
        }
        return found
    }

    /// `gzip -dc`: every member, as one stream of bytes.
    private static func decompressed(_ path: String) -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return Data() }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    /// The root's files and their bytes, the index aside (opening it checkpoints its
    /// write-ahead log) and any folder in `skipping`.
    static func snapshot(_ root: String, skipping: Set<String> = []) -> [String: Data] {
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: root)
        while let relative = walker?.nextObject() as? String {
            guard !relative.hasPrefix("index.sqlite"), !skipping.contains(where: { relative.hasPrefix($0) }) else { continue }
            if let data = FileManager.default.contents(atPath: root + "/" + relative) { files[relative] = data }
        }
        return files
    }
}
