import NIOCore
import NIOPosix

// Swift concurrency's jobs run on NIO's event loop threads: the servers, the upstream client
// and the handlers between them then share the event loop threads instead of handing every
// request back and forth between two thread pools (see tools/bench/recorder.sh).
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

/// Runs the command in an async context, where the async `main` is the one chosen.
func runCommand() async {
    await AomiArchive.main()
}

await runCommand()
