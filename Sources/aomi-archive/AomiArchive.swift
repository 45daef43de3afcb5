import ArgumentParser

/// The `aomi-archive` command: records, indexes and replays Aomi backend traffic.
struct AomiArchive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aomi-archive",
        abstract: "Record, index and replay Aomi chat-agent traffic as WARC archives.",
        version: "0.1.0",
        subcommands: [
            DemoCommand.self, InspectCommand.self, SimCommand.self, RecordCommand.self, CrawlCommand.self, IndexCommand.self, SearchCommand.self,
            WalletsCommand.self, ThreadsCommand.self, ShowCommand.self, ServeCommand.self, ReplayCommand.self, VerifyCommand.self, ExportCommand.self, CompactCommand.self,
            RerunCommand.self, ForgetCommand.self, PruneCommand.self, DuCommand.self,
        ]
    )
}
