import Foundation

/// pywb, the reference WARC replay (PyPI, in the venv tools/setup.sh makes), driven through
/// `tools/pywb/play_archive.py`.
public enum Pywb {
    /// The venv's python: `AOMI_PYWB_PYTHON`, else `AOMI_PYWB_VENV`'s, else `~/.cache/aomi-archive-pywb`'s.
    public static var python: String {
        ProcessInfo.processInfo.environment["AOMI_PYWB_PYTHON"]
            ?? (ProcessInfo.processInfo.environment["AOMI_PYWB_VENV"] ?? NSHomeDirectory() + "/.cache/aomi-archive-pywb") + "/bin/python"
    }

    /// Runs `play_archive.py WARC ARGUMENT` (an expectations file, or `--every-request`).
    public static func play(_ warc: String, _ argument: String) async throws -> ChildProcess.Output {
        try await ChildProcess.run(python, [Repository.root + "/tools/pywb/play_archive.py", warc, argument], mergeErrors: true)
    }
}
