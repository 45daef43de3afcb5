import Foundation

/// A real, small filesystem for tests of a full disk: a tmpfs of a few hundred KiB mounted on
/// a fresh temporary folder (mounting needs root, which CI has), and a filler file that takes
/// all or all but some of its space.
public final class SmallFilesystem: @unchecked Sendable {
    public let path: String
    private var filler: Int32 = -1
    private var fillerSize: Int64 = 0

    /// Whether this machine lets the tests mount a tmpfs (checked once, by mounting one).
    public static let available: Bool = {
        guard let probe = try? SmallFilesystem(kilobytes: 64) else { return false }
        probe.unmount()
        return true
    }()

    private let kilobytes: Int

    public init(kilobytes: Int) throws {
        self.kilobytes = kilobytes
        path = TemporaryDirectory.path("aomi-tmpfs")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(kilobytes)k,mode=0755") == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: path)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EPERM)
        }
    }

    /// Takes every free byte, then gives `leaving` bytes back (rounded by the filesystem to pages).
    public func fill(leaving: Int64 = 0) {
        if filler < 0 { filler = open(path + "/.filler", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644) }
        let chunk = [UInt8](repeating: 0xA5, count: 64 << 10)
        while true {
            let written = chunk.withUnsafeBytes { pwrite(filler, $0.baseAddress!, $0.count, off_t(fillerSize)) }
            if written <= 0 { break }
            fillerSize += Int64(written)
        }
        if leaving > 0 {
            fillerSize = max(0, fillerSize - leaving)
            _ = ftruncate(filler, off_t(fillerSize))
        }
    }

    /// Remounts the filesystem read-only (every write fails with EROFS, even root's) or
    /// writable again.
    public func setReadOnly(_ readOnly: Bool) throws {
        let flags = UInt(MS_REMOUNT) | (readOnly ? UInt(MS_RDONLY) : 0)
        guard mount("tmpfs", path, "tmpfs", flags, "size=\(kilobytes)k,mode=0755") == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
        }
    }

    /// Gives all the filler's space back.
    public func free() {
        fillerSize = 0
        _ = ftruncate(filler, 0)
    }

    public func unmount() {
        if filler >= 0 { close(filler) }
        filler = -1
        umount2(path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Descriptors this process has open on files of this filesystem now (other tests running
    /// beside do not count).
    public func openDescriptors() -> Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0))?.hasPrefix(path + "/") == true }.count
    }

    /// Files under `root` (relative paths) with their sizes.
    public static func files(under root: String) -> [(path: String, size: Int)] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [(String, Int)] = []
        while let relative = walker.nextObject() as? String {
            let full = root + "/" + relative
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            let size = (try? FileManager.default.attributesOfItem(atPath: full)[.size] as? Int) ?? -1
            found.append((relative, size))
        }
        return found.sorted { $0.0 < $1.0 }
    }
}
