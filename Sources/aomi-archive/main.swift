import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

// Swift concurrency's jobs run on NIO's event loop threads: the servers, the upstream client
// and the handlers between them then share the event loop threads instead of handing every
// request back and forth between two thread pools (see tools/bench/recorder.sh).
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

/// Runs the command in an async context, where the async `main` is the one chosen.
///
/// Errors say what to do: a mistyped subcommand gets the nearest one ("did you mean"); a bad
/// argument found once the command runs prints that subcommand's usage, not the top-level
/// one. `rerun` is a regression check for CI: its bad arguments exit with 2 (1 is a changed
/// conversation), not the argument parser's 64.
func runCommand() async {
    let arguments = Array(CommandLine.arguments.dropFirst())
    let isRerun = arguments.first == RerunCommand.configuration.commandName
    var command: any ParsableCommand
    do {
        command = try AomiArchive.parseAsRoot()
    } catch {
        if let typo = CommandSuggestion.misspelled(arguments, root: AomiArchive.self) {
            let parent = (["aomi-archive"] + typo.path).joined(separator: " ")
            FileHandle.standardError.write(
                Data("Error: unknown command '\(typo.typed)'. Did you mean '\(typo.nearest)'?\n  See '\(parent) --help' for the commands.\n".utf8))
            exit(ExitCode.validationFailure.rawValue)
        }
        exitFailing(error, isRerun: isRerun)
    }
    do {
        if var asynchronous = command as? any AsyncParsableCommand {
            try await asynchronous.run()
        } else {
            try command.run()
        }
    } catch let error as ValidationError {
        let usage = AomiArchive.usageString(for: type(of: command))
        let path = (["aomi-archive"] + (CommandSuggestion.path(to: type(of: command), from: AomiArchive.self) ?? [])).joined(separator: " ")
        FileHandle.standardError.write(Data("Error: \(error.message)\nUsage: \(usage)\n  See '\(path) --help' for more information.\n".utf8))
        exit(isRerun ? 2 : ExitCode.validationFailure.rawValue)
    } catch {
        exitFailing(error, isRerun: isRerun)
    }
}

func exitFailing(_ error: any Error, isRerun: Bool) -> Never {
    if isRerun, AomiArchive.exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((AomiArchive.fullMessage(for: error) + "\n").utf8))
        exit(2)
    }
    AomiArchive.exit(withError: error)
}

await runCommand()
