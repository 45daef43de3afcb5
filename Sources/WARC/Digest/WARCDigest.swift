import Crypto

/// Block and payload digests as web-archiving tools write and check them: `sha1:<base32>`.
public enum WARCDigest {
    /// `sha1:` and the RFC 4648 base32 form of the SHA-1 of `bytes`.
    public static func sha1(_ bytes: [UInt8]) -> String {
        sha1(bytes, range: 0..<bytes.count)
    }

    /// The same over the bytes of `buffer` in `range`, without copying them.
    public static func sha1(_ buffer: [UInt8], range: Range<Int>) -> String {
        buffer.withUnsafeBytes { pointer in
            var hasher = Insecure.SHA1()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: pointer[range]))
            return "sha1:" + Base32.encode(hasher.finalize().withUnsafeBytes { Array($0) })
        }
    }
}
