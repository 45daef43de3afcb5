import Foundation

/// A window of bytes over an open file, read with `pread`, for readers that move forward
/// and sometimes step back a little (to resynchronise after damage).
///
/// Holds at most `capacity` bytes whatever the file size.
final class FileWindow {
    let descriptor: Int32
    let path: String
    private var storage: UnsafeMutableRawBufferPointer
    /// File offset of the first byte held.
    private var start: Int64 = 0
    private var count = 0
    /// The file size when opened, to tell the end of the file from a short read.
    let fileSize: Int64

    init(path: String, capacity: Int) throws(WARCReadError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw .cannotOpen(path: path, errno: code)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(descriptor)
            throw .notARegularFile(path: path)
        }
        self.descriptor = descriptor
        self.path = path
        self.fileSize = Int64(info.st_size)
        self.storage = .allocate(byteCount: max(capacity, 4096), alignment: 16)
    }

    deinit {
        storage.deallocate()
        Glibc.close(descriptor)
    }

    var capacity: Int { storage.count }

    /// The bytes held from `offset` on, reading more so that at least `minimum` are held
    /// unless the file ends first. Empty at or past the end of the file.
    func bytes(at offset: Int64, minimum: Int = 1) -> UnsafeRawBufferPointer {
        if minimum > capacity { grow(to: minimum) }
        if offset >= start, offset - start <= Int64(count), Int64(count) - (offset - start) >= Int64(minimum) {
            return held(from: offset)
        }
        refill(from: offset)
        return held(from: offset)
    }

    private func held(from offset: Int64) -> UnsafeRawBufferPointer {
        let skip = Int(offset - start)
        return UnsafeRawBufferPointer(rebasing: storage[skip..<count])
    }

    /// Keeps what is held from `offset` on at the front, then reads until full or end of file.
    private func refill(from offset: Int64) {
        if offset >= start, offset <= start + Int64(count) {
            let skip = Int(offset - start)
            let kept = count - skip
            if skip > 0, kept > 0 {
                storage.baseAddress!.copyMemory(from: storage.baseAddress! + skip, byteCount: kept)
            }
            count = kept
        } else {
            count = 0
        }
        start = offset
        while count < capacity {
            let wanted = min(Int64(capacity - count), fileSize - (start + Int64(count)))
            if wanted <= 0 { break }
            let got = pread(descriptor, storage.baseAddress! + count, Int(wanted), off_t(start + Int64(count)))
            if got < 0, errno == EINTR { continue }
            if got <= 0 { break }
            count += got
        }
    }

    private func grow(to minimum: Int) {
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: minimum, alignment: 16)
        bigger.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: count)
        storage.deallocate()
        storage = bigger
    }

    /// The offset of the next occurrence of `pattern` at or after `offset`, or nil.
    func firstOffset(of pattern: [UInt8], from offset: Int64) -> Int64? {
        precondition(!pattern.isEmpty && pattern.count < capacity)
        var position = offset
        while true {
            let window = bytes(at: position, minimum: min(capacity, 1 << 16))
            guard window.count >= pattern.count else { return nil }
            if let found = Self.search(pattern, in: window) {
                return position + Int64(found)
            }
            position += Int64(window.count - pattern.count + 1)
        }
    }

    private static func search(_ pattern: [UInt8], in window: UnsafeRawBufferPointer) -> Int? {
        let first = Int32(pattern[0])
        var index = 0
        let last = window.count - pattern.count
        while index <= last {
            guard let hit = memchr(window.baseAddress! + index, first, last - index + 1) else { return nil }
            let at = window.baseAddress!.distance(to: UnsafeRawPointer(hit))
            var matches = true
            for (k, byte) in pattern.enumerated().dropFirst() where window[at + k] != byte {
                matches = false
                break
            }
            if matches { return at }
            index = at + 1
        }
        return nil
    }
}
