import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

// Swift concurrency's jobs run on NIO's event loop threads: the servers, the upstream client
// and the handlers between them then share the event loop threads instead of handing every
// request back and forth between two thread pools (see tools/bench/recorder.sh).
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

/// Runs the command in an async context, where the async `main` is the one chosen. `rerun`
/// is a regression check for CI: its bad arguments exit with 2 (1 is a changed conversation),
/// not the argument parser's 64.
func runCommand() async {
    do {
        var command = try AomiArchive.parseAsRoot()
        if var asynchronous = command as? any AsyncParsableCommand {
            try await asynchronous.run()
        } else {
            try command.run()
        }
    } catch {
        let isRerun = CommandLine.arguments.dropFirst().first == RerunCommand.configuration.commandName
        if isRerun, AomiArchive.exitCode(for: error) == .validationFailure {
            FileHandle.standardError.write(Data((AomiArchive.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
        AomiArchive.exit(withError: error)
    }
}

await runCommand()
