// swift-tools-version:6.2
// Hummingbird 2.28 needs tools version 6.2.
import PackageDescription

let package = Package(
    name: "aomi-archive",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aomi-archive", targets: ["aomi-archive"]),
        .library(name: "WARC", targets: ["WARC"]),
        .library(name: "AomiAPI", targets: ["AomiAPI"]),
        .library(name: "AomiArchive", targets: ["AomiArchive"]),
        .library(name: "AomiClient", targets: ["AomiClient"]),
        .library(name: "AomiSimulator", targets: ["AomiSimulator"]),
        .library(name: "Conversation", targets: ["Conversation"]),
        .library(name: "Rerun", targets: ["Rerun"]),
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
        .library(name: "StoredArchives", targets: ["StoredArchives"]),
        .library(name: "Recorder", targets: ["Recorder"]),
        .library(name: "ArchiveIndex", targets: ["ArchiveIndex"]),
        .library(name: "Replayer", targets: ["Replayer"]),
        .library(name: "ArchiveBrowser", targets: ["ArchiveBrowser"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // The quiescing helper that drains the proxy's and the replay's connections on stop
        // (Hummingbird drains its own with it).
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // TLS to https:// upstreams and on our listeners (already dependencies of AsyncHTTPClient).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // SQLite (the system libsqlite3, FTS5 through SQL) for the index.
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // Graceful shutdown of the servers (already a dependency of Hummingbird).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.8.0"),
        // Metrics: the modules count through swift-metrics; the servers expose them in the
        // Prometheus text format through swift-prometheus's registry (`Telemetry`).
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // zlib from the system: the streaming inflater that diagnoses damaged gzip members.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libdeflate from the system (Debian libdeflate-dev): the fast path, one whole gzip
        // member per record compressed or decompressed in one call; zlib 1.2.13 capped the
        // reader at about 255 MB/s and the writer at 48 MB/s on these machines.
        .systemLibrary(name: "CLibdeflate", path: "Sources/CLibdeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        // libpq from the system (Debian libpq-dev): the index's connection to PostgreSQL. Its
        // synchronous calls fit the loader, which runs on threads of its own like SQLite's.
        .systemLibrary(name: "CLibpq", path: "Sources/CLibpq", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // WARC 1.1 records, the gzip-per-record writer and the streaming reader. Knows nothing of Aomi.
        .target(
            name: "WARC",
            dependencies: [
                "CZlib",
                "CLibdeflate",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // TLS settings of upstream connections and listeners, and TLS failures put in words.
        .target(
            name: "TLSSupport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),

        // The servers' one lifecycle: a running server (where it listens, a graceful stop), as a
        // Hummingbird application (the simulator) or a SwiftNIO channel (the proxy, the replay).
        .target(
            name: "HTTPServing",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // What operators read: the metrics registry behind `GET /metrics` (swift-prometheus as
        // the swift-metrics backend) and the JSON log lines of `--log-format json`.
        .target(
            name: "Telemetry",
            dependencies: [
                "HTTPServing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // The documented Aomi API as types: endpoints, snapshots, messages, SSE events, wallets. No I/O.
        .target(name: "AomiAPI"),

        // The archive format: the Aomi-* fields, warcinfo keys, file naming and finding, HTTP
        // blocks, .open repair. What the recorder writes and every other job reads.
        .target(
            name: "AomiArchive",
            dependencies: [
                "WARC",
                "AomiAPI",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),

        // The real client's side of the API: its HTTP calls and its wallet request queue.
        .target(
            name: "AomiClient",
            dependencies: [
                "AomiAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        // A stand-in Aomi backend and a client driver that behaves like the real client.
        .target(
            name: "AomiSimulator",
            dependencies: [
                "AomiAPI",
                "AomiClient",
                "HTTPServing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // S3-compatible object stores: locations, SigV4 signing, a client of one bucket.
        .target(
            name: "ObjectStore",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // Archives read from an object store: the objects a reader needs, taken from a bounded
        // cache, and the index loaded from a store, incrementally by object.
        .target(
            name: "StoredArchives",
            dependencies: ["ObjectStore", "AomiArchive", "ArchiveIndex", "WARC"]
        ),

        // HTTP exchanges and SSE streams into WARC records: redaction, dedup, per-wallet files.
        .target(
            name: "Recorder",
            dependencies: [
                "ObjectStore",
                .product(name: "Metrics", package: "swift-metrics"),
                "WARC",
                "AomiArchive",
                "AomiAPI",
                "TLSSupport",
                "HTTPServing",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The SQLite index of the archives: incremental loading, search, threads, transcripts.
        .target(
            name: "ArchiveIndex",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "WARC",
                "AomiArchive",
                "AomiAPI",
                "CLibpq",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API itself, for the search rank (an FTS5 auxiliary function).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),

        // Serving recorded sessions back: matching, sequencing, session aliasing, causal SSE,
        // the replay server, verification and export.
        .target(
            name: "Replayer",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "WARC",
                "AomiArchive",
                "AomiAPI",
                "ArchiveIndex",
                "TLSSupport",
                "HTTPServing",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // A recorded session as turns (what the user sent, what the agent did), and two compared.
        .target(
            name: "Conversation",
            dependencies: [
                "WARC",
                "AomiAPI",
                "AomiArchive",
            ]
        ),

        // Sending recorded conversations to a live backend again, recorded, and compared.
        .target(
            name: "Rerun",
            dependencies: [
                "WARC",
                "AomiAPI",
                "AomiArchive",
                "AomiClient",
                "Conversation",
                "Recorder",
                "TLSSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The archive browser: server-rendered pages (and their JSON) over the index and the
        // archive files, read-only.
        .target(
            name: "ArchiveBrowser",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "WARC",
                "AomiArchive",
                "AomiAPI",
                "ArchiveIndex",
                "Conversation",
                "HTTPServing",
                "StoredArchives",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Operating an archive root for a team: forgetting a wallet or a session, pruning by
        // age, what is kept (`du`), in the files and the index alike.
        .target(
            name: "Retention",
            dependencies: [
                "WARC",
                "AomiAPI",
                "AomiArchive",
                "ArchiveIndex",
                "Recorder",
                "ObjectStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // The command line: argument parsing and wiring only.
        .executableTarget(
            name: "aomi-archive",
            dependencies: [
                "WARC",
                "ObjectStore",
                "AomiArchive",
                "TLSSupport",
                "AomiAPI",
                "AomiSimulator",
                "AomiClient",
                "Recorder",
                "ArchiveIndex",
                "Replayer",
                "ArchiveBrowser",
                "Conversation",
                "Rerun",
                "HTTPServing",
                "Telemetry",
                "Retention",
                "StoredArchives",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        // Release-build benchmarks; see tools/bench/README.md.
        .executableTarget(
            name: "warc-bench",
            dependencies: ["WARC"],
            path: "tools/bench/warc-bench"
        ),
        .executableTarget(
            name: "index-bench",
            dependencies: ["WARC", "AomiAPI", "ArchiveIndex"],
            path: "tools/bench/index-bench"
        ),

        // The archive fuzzer; see tools/fuzz/fuzz.sh.
        .executableTarget(
            name: "archive-fuzz",
            dependencies: [
                "WARC",
                "AomiAPI",
                "CLibdeflate",
                "ArchiveIndex",
                "Replayer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "tools/fuzz/archive-fuzz"
        ),

        // Helpers shared by the test targets (running warcio, certificates made per run).
        .target(
            name: "TestSupport",
            dependencies: [
                "WARC",
                "AomiAPI",
                "AomiArchive",
                "AomiSimulator",
                "HTTPServing",
                "Recorder",
                "TLSSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),

        .testTarget(name: "WARCTests", dependencies: ["WARC", "TestSupport"]),
        .testTarget(name: "AomiAPITests", dependencies: ["AomiAPI"]),
        .testTarget(
            name: "ObjectStoreTests",
            dependencies: [
                "ObjectStore", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),
        .testTarget(
            name: "ArchiveIndexTests",
            dependencies: [
                "AomiArchive",
                "ArchiveIndex",
                "Recorder",
                "WARC",
                "AomiAPI",
                "AomiSimulator",
                "HTTPServing",
                "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "AomiSimulatorTests",
            dependencies: [
                "AomiAPI",
                "AomiSimulator",
                "HTTPServing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "RecorderTests",
            dependencies: [
                "AomiArchive",
                "Recorder",
                "TLSSupport",
                "TestSupport",
                "WARC",
                "AomiAPI",
                "AomiSimulator",
                "HTTPServing",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ReplayerTests",
            dependencies: [
                "AomiArchive",
                "ArchiveIndex",
                "Replayer",
                "TLSSupport",
                "Recorder",
                "WARC",
                "AomiAPI",
                "AomiSimulator",
                "HTTPServing",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RerunTests",
            dependencies: [
                "AomiAPI",
                "ArchiveBrowser",
                "AomiArchive",
                "AomiSimulator",
                "ArchiveIndex",
                "Conversation",
                "Recorder",
                "Rerun",
                "TLSSupport",
                "TestSupport",
                "WARC",
                "HTTPServing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ArchiveBrowserTests",
            dependencies: [
                "ArchiveBrowser",
                "ArchiveIndex",
                "AomiAPI",
                "AomiSimulator",
                "HTTPServing",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "AomiArchiveCLITests",
            dependencies: [
                "AomiArchive",
                "ObjectStore",
                "ArchiveIndex",
                "aomi-archive",
                "archive-fuzz",
                "AomiSimulator",
                "AomiAPI",
                "WARC",
                "HTTPServing",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
