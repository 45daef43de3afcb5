// swift-tools-version:6.2
// Hummingbird 2.28 needs tools version 6.2; see ../shared/design/stack-notes.md.
import PackageDescription

let package = Package(
    name: "aomi-archive",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aomi-archive", targets: ["aomi-archive"]),
        .library(name: "WARC", targets: ["WARC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // zlib from the system, for one gzip member per WARC record.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // WARC 1.1 records, the gzip-per-record writer and the streaming reader. Knows nothing of Aomi.
        .target(
            name: "WARC",
            dependencies: [
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // The command line: argument parsing and wiring only.
        .executableTarget(
            name: "aomi-archive",
            dependencies: [
                "WARC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "WARCTests", dependencies: ["WARC"]),
        .testTarget(name: "AomiArchiveCLITests", dependencies: ["aomi-archive", "WARC"]),
    ],
    swiftLanguageModes: [.v6]
)
