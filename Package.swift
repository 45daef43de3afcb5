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
        // zlib from the system: the streaming inflater that diagnoses damaged gzip members.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // libdeflate from the system (Debian libdeflate-dev): the fast path, one whole gzip
        // member per record compressed or decompressed in one call; zlib 1.2.13 capped the
        // reader at about 255 MB/s and the writer at 48 MB/s on these machines.
        .systemLibrary(name: "CLibdeflate", path: "Sources/CLibdeflate"),

        // WARC 1.1 records, the gzip-per-record writer and the streaming reader. Knows nothing of Aomi.
        .target(
            name: "WARC",
            dependencies: [
                "CZlib",
                "CLibdeflate",
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

        // Release-build benchmarks; see tools/bench/README.md.
        .executableTarget(
            name: "warc-bench",
            dependencies: ["WARC"],
            path: "tools/bench/warc-bench"
        ),

        .testTarget(name: "WARCTests", dependencies: ["WARC"]),
        .testTarget(name: "AomiArchiveCLITests", dependencies: ["aomi-archive", "WARC"]),
    ],
    swiftLanguageModes: [.v6]
)
