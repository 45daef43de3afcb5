import Foundation
import Synchronization

/// A child process started with `posix_spawn`, every descriptor above 2 closed in it
/// (`posix_spawn_file_actions_addclosefrom_np`), its end seen by `waitpid` on a thread of its
/// own. Not Foundation's `Process`, which on Linux broke the tests twice: a child spawned
/// while another was being launched inherited that one's termination socket (a test then
/// waited for `initdb` until a long-lived server ended), and its `/proc/self/fd` scan copies
/// each entry's whole 256-byte name, reading past its buffer when many descriptors are open
/// (a crash in `Process.run()`).
public final class SpawnedProcess: Sendable {
    public let processIdentifier: pid_t
    private let exit = ExitState()

    /// Starts `executable` with `arguments`, standard input from `/dev/null`, standard output
    /// into the file `output`, standard error into `errors` (into `output` when nil), and the
    /// environment given (this process's when nil).
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, output: String, errors: String?) throws {
        let openFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let out = open(output, openFlags, 0o644)
        let err = errors.map { open($0, openFlags, 0o644) } ?? out
        defer {
            for descriptor in Set([input, out, err]) where descriptor >= 0 { close(descriptor) }
        }
        guard input >= 0, out >= 0, err >= 0 else { throw SpawnError(message: "cannot open the output files of \(executable): errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input, 0)
        posix_spawn_file_actions_adddup2(&actions, out, 1)
        posix_spawn_file_actions_adddup2(&actions, err, 2)
        guard let closeFrom = Self.closeFrom, closeFrom(&actions, 3) == 0 else {
            throw SpawnError(message: "posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34 or later needed)")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, as Foundation's `Process` does: a signal to the tests is not its.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        guard result == 0 else { throw SpawnError(message: "cannot start \(executable): \(String(cString: strerror(result)))") }
        processIdentifier = pid
        let child = pid
        let thread = Thread { [exit] in
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1, errno == EINTR {}
            // As Foundation reports it: the exit code, or the number of the signal that ended it.
            let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : status & 0x7f
            let waiters = exit.state.withLock { state in
                state.status = code
                defer { state.waiters = [] }
                return state.waiters
            }
            waiters.forEach { $0.resume(returning: code) }
        }
        thread.start()
    }

    /// The glibc 2.34 call that closes every descriptor from a number on in the child, found at
    /// run time (Swift's Glibc module does not import it).
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np").map {
            unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }
    }()

    public var isRunning: Bool { exit.state.withLock { $0.status == nil } }

    /// The exit code, or the signal that ended it; nil while it runs.
    public var terminationStatus: Int32? { exit.state.withLock { $0.status } }

    public func signal(_ number: Int32) {
        kill(processIdentifier, number)
    }

    /// Waits for its end on the calling thread: for synchronous callers (test traits), never in
    /// a task.
    public func waitBlocking() -> Int32 {
        while true {
            if let status = terminationStatus { return status }
            usleep(5_000)
        }
    }

    /// Waits for its end, without holding a thread of the cooperative pool.
    @discardableResult
    public func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let done: Int32? = exit.state.withLock { state in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}

/// How a child ended, once it has, and who waits for it: shared with its waiting thread.
private final class ExitState: Sendable {
    let state = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))
}

/// A child process that could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
