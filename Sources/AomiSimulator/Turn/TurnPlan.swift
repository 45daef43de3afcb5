import AomiAPI

/// The steps of one agent turn, in order: think, tool progress, the reply in pieces, the end.
struct TurnPlan: Sendable {
    private(set) var steps: [TurnStep]

    init(_ turn: AgentScript.Turn, configuration: SimulatorConfiguration) {
        var steps: [TurnStep] = []
        var delay = configuration.thinkTime
        if configuration.variant == .slow {
            // Twice the think time: a first wait as long, in which nothing happens.
            steps.append(TurnStep(delay: configuration.thinkTime, action: .think))
        }
        func add(_ action: TurnStep.Action) {
            steps.append(TurnStep(delay: delay, action: action))
            delay = configuration.chunkInterval
        }
        if let tool = turn.tool {
            for step in 1...configuration.toolSteps {
                add(.toolProgress(tool: tool.name, percent: step * 100 / configuration.toolSteps))
            }
        }
        let pieces = AgentScript.pieces(of: turn.reply, count: configuration.streamChunks)
        let toolResult = turn.tool.map { [$0.topic, $0.result] }
        if let tool = turn.tool {
            steps.append(TurnStep(delay: delay, action: .toolComplete(tool: tool.name, result: tool.result)))
            delay = .zero
        }
        for (index, piece) in pieces.enumerated() {
            add(.replyPiece(piece, isFirst: index == 0, isLast: index == pieces.count - 1, toolResult: toolResult))
        }
        steps.append(TurnStep(delay: .zero, action: .finish(walletAsk: turn.walletAsk)))
        self.steps = steps
    }

    /// The title as a step of the turn, just before its end (the polls pacing: the client sees
    /// it while it still polls, whatever the machine's speed).
    mutating func announceTitle(_ title: String) {
        steps.insert(TurnStep(delay: .zero, action: .title(title)), at: steps.count - 1)
    }
}
