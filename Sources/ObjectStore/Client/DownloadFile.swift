import Crypto
import Foundation
import NIOCore

/// The file a download is written into (`PATH.PID-RANDOM.part`), with the MD5 of what arrived: created
/// empty, appended to chunk by chunk, then synced and renamed into place, or removed.
final class DownloadFile: @unchecked Sendable {
    private let path: String
    private var descriptor: Int32
    private var md5 = Insecure.MD5()
    private(set) var size: Int64 = 0

    init(path: String) throws(StoreError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .localFile(path: path, reason: String(cString: strerror(errno))) }
    }

    var md5Hex: String { md5.finalize().map { String(format: "%02x", $0) }.joined() }

    func append(_ chunk: ByteBuffer) throws(StoreError) {
        try chunk.withUnsafeReadableBytes { (bytes) throws(StoreError) in
            md5.update(bufferPointer: bytes)
            var done = 0
            while done < bytes.count {
                let count = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .localFile(path: path, reason: String(cString: strerror(errno)))
                }
                done += count
            }
        }
        size += Int64(chunk.readableBytes)
    }

    /// Syncs the file and renames it to `finalPath`.
    func finish(as finalPath: String) throws(StoreError) {
        guard fsync(descriptor) == 0 else { throw .localFile(path: path, reason: String(cString: strerror(errno))) }
        close(descriptor)
        descriptor = -1
        guard rename(path, finalPath) == 0 else { throw .localFile(path: finalPath, reason: String(cString: strerror(errno))) }
    }

    /// Closes the file and removes it, unless `finish` moved it into place.
    func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(path)
    }
}
