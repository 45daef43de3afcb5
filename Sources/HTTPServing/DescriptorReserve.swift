import Glibc
import NIOCore
import Synchronization

/// Keeps a server answering when the process runs out of file descriptors. A listener that
/// cannot accept (`EMFILE`, `ENFILE`) leaves new connections waiting in the kernel's queue, and
/// clients hang with no answer, health checks included. The reserve holds one descriptor
/// (`/dev/null`) that it gives up when an accept fails for lack of one, so that NIO's next
/// accept (after its back-off, about a second) gets a connection the server can still answer,
/// saying what is wrong (`isExhausted`). When a connection closes, the reserve takes a
/// descriptor back; while it cannot, the process is still out of them.
public final class DescriptorReserve: Sendable {
    private let reserved = Mutex<Int32>(-1)
    private let exhausted = Atomic<Bool>(false)
    private let onExhausted: @Sendable (String) -> Void

    /// - Parameter onExhausted: told the cause each time an accept fails for lack of descriptors.
    public init(onExhausted: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onExhausted = onExhausted
        reserved.withLock { $0 = open("/dev/null", O_RDONLY | O_CLOEXEC) }
    }

    deinit {
        reserved.withLock { if $0 >= 0 { close($0) } }
    }

    /// Whether the process ran out of descriptors and has not had one back since.
    public var isExhausted: Bool { exhausted.load(ordering: .relaxed) }

    /// The soft and hard limits of open descriptors, as `getrlimit` says.
    public static func limits() -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (0, 0) }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// Raises the soft limit of open descriptors to the hard one (a soft limit of 1,024 is
    /// common, and each recorded stream holds two); returns the limits before and after.
    @discardableResult
    public static func raiseSoftLimit() -> (before: (soft: UInt64, hard: UInt64), after: (soft: UInt64, hard: UInt64)) {
        let before = limits()
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return (before, limits())
    }

    /// An accept failed: frees the reserved descriptor for the next one.
    func acceptFailed(_ error: IOError) {
        guard error.errnoCode == EMFILE || error.errnoCode == ENFILE else { return }
        exhausted.store(true, ordering: .relaxed)
        reserved.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }
        let soft = Self.limits().soft
        onExhausted("out of file descriptors (\(error.errnoCode == EMFILE ? "this process's limit of \(soft)" : "the system's limit") is reached)")
    }

    /// A connection closed: takes a descriptor back into the reserve, which ends the shortage.
    func connectionClosed() {
        guard isExhausted else { return }
        let taken = reserved.withLock { descriptor -> Bool in
            if descriptor < 0 { descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC) }
            return descriptor >= 0
        }
        if taken { exhausted.store(false, ordering: .relaxed) }
    }

    /// On the listening channel, before NIO's accept back-off: sees each failed accept.
    final class ListenerHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        let reserve: DescriptorReserve

        init(reserve: DescriptorReserve) {
            self.reserve = reserve
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if let error = error as? IOError { reserve.acceptFailed(error) }
            context.fireErrorCaught(error)
        }
    }
}
