import Crypto
import Foundation

/// A file's size, MD5 and SHA-256, read once before it is uploaded: the upload is signed
/// with the SHA-256 and carries the MD5, and the store refuses bytes that do not match.
struct FileDigests {
    var size: Int64
    var md5Hex: String
    var md5Base64: String
    var sha256Hex: String

    init(path: String) throws(StoreError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .localFile(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var md5 = Insecure.MD5()
        var sha = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var size: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .localFile(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { bytes in
                let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                md5.update(bufferPointer: chunk)
                sha.update(bufferPointer: chunk)
            }
            size += Int64(count)
        }
        let md5Digest = Array(md5.finalize())
        self.size = size
        md5Hex = md5Digest.hexString
        md5Base64 = Data(md5Digest).base64EncodedString()
        sha256Hex = Array(sha.finalize()).hexString
    }
}
