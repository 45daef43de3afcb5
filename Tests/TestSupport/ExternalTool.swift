import Foundation
import Testing

extension Tag {
    /// Needs a PostgreSQL server (Debian's `postgresql`; the test starts a cluster of its own).
    @Tag public static var postgres: Self
    /// Drives headless Chromium through selenium (`chromium`, `chromium-driver`, PyPI's `selenium`).
    @Tag public static var browser: Self
    /// Plays archives in pywb (PyPI, in the venv `tools/setup.sh` makes).
    @Tag public static var pywb: Self
    /// Needs an S3 store: a Ceph RADOS Gateway the test starts (Debian's `ceph-mon`, `ceph-osd`, `radosgw`).
    @Tag public static var objectStore: Self
    /// Takes more than a few seconds (drives whole conversations, full disks, crashes).
    @Tag public static var slow: Self
}

/// What some tests run beside the Swift toolchain, and whether this machine has it.
public enum ExternalTool: String, Sendable, CaseIterable {
    case postgres
    case chromium
    case pywb
    case ceph

    /// Whether it is installed where the tests look for it.
    public var isInstalled: Bool {
        switch self {
        case .postgres: PostgresServer.installedBinaries() != nil
        case .chromium: Self.chromiumInstalled
        case .pywb: FileManager.default.isExecutableFile(atPath: Pywb.python) && Self.imports("pywb", python: Pywb.python)
        case .ceph: CephGateway.isInstalled
        }
    }

    /// What to install to get it.
    public var installHint: String {
        switch self {
        case .postgres: "Debian's postgresql"
        case .chromium: "Debian's chromium and chromium-driver, and PyPI's selenium"
        case .ceph: "Debian's ceph-mon, ceph-osd, radosgw and ceph-common"
        case .pywb: "PyPI's pywb in the venv \((Pywb.python as NSString).deletingLastPathComponent.replacingOccurrences(of: "/bin", with: ""))"
        }
    }

    private static let chromiumInstalled =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        && imports("selenium", python: "python3")

    /// Whether `python` (a path, or a name looked up in `PATH` as the tests' scripts run it) imports `module`.
    private static func imports(_ module: String, python: String) -> Bool {
        guard let child = try? SpawnedProcess("/usr/bin/env", [python, "-c", "import \(module)"], output: "/dev/null", errors: nil) else { return false }
        return child.waitBlocking() == 0
    }
}

/// How this test run was asked to run: everything (`swift test`), the fast loop without
/// external servers and slow suites (`AOMI_TESTS=fast swift test`), or on CI (`CI=true`),
/// where a missing tool is a failure rather than a skip.
public enum TestRun {
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    public static let isFast = ProcessInfo.processInfo.environment["AOMI_TESTS"] == "fast"

    /// Whether tests that need `tool` run here: not in the fast loop; otherwise when it is
    /// installed, and always on CI (where they then fail, naming what is missing).
    public static func runs(_ tool: ExternalTool) -> Bool {
        !isFast && (isCI || installed.contains(tool))
    }

    /// Why tests that need `tool` do not run here.
    public static func skipReason(_ tool: ExternalTool) -> String {
        isFast
            ? "needs \(tool.rawValue): left out of the fast loop (AOMI_TESTS=fast)"
            : "needs \(tool.rawValue), which is not installed: install \(tool.installHint) (bash tools/setup.sh does)"
    }

    private static let installed = Set(ExternalTool.allCases.filter(\.isInstalled))
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where `tool` is (see `TestRun.runs`); otherwise skips it, saying what to install.
    public static func needs(_ tool: ExternalTool) -> Self {
        .enabled(if: TestRun.runs(tool), Comment(rawValue: TestRun.skipReason(tool)))
    }

    /// Leaves a slow test out of the fast loop.
    public static var notInFastLoop: Self {
        .enabled(if: !TestRun.isFast, "slow: left out of the fast loop (AOMI_TESTS=fast)")
    }
}

extension IndexBackend {
    /// The stores the index tests run against here: PostgreSQL only where its tests run.
    public static var testable: [IndexBackend] {
        TestRun.runs(.postgres) ? allCases : [.sqlite]
    }
}
