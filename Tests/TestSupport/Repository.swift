import Foundation

/// The repository's folders, for tests that run its tools (`tools/browser/…`).
public enum Repository {
    /// The repository's root (this file is Tests/TestSupport/Repository.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}
