import AomiAPI
import AomiArchive
import NIOCore
import NIOHTTP1
import TLSSupport
import WARC

/// One client connection of the recording proxy: feeds what happens on the connection, its
/// upstream connection and its recording lane to a `ProxyConnectionStateMachine`, and
/// performs the actions it returns. Everything runs on the connection's event loop; archive
/// work runs on the lane, in order, and reports back to the loop.
final class ProxyConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let shared: ProxyShared
    let lane = RecordingLane()
    private var machine: ProxyConnectionStateMachine
    private var context: ChannelHandlerContext?
    private var upstreamChannel: (any Channel)?
    private var timeout: Scheduled<Void>?

    init(shared: ProxyShared) {
        self.shared = shared
        machine = ProxyConnectionStateMachine(
            configuration: shared.configuration, upstreamHost: shared.upstream.hostHeader, environment: Self.environment(shared))
    }

    /// Adds a client connection's handlers behind its TLS handler, if any: the stop relay, the
    /// HTTP/1 server codec with pipelining and error handling, and the proxy.
    static func configure(_ pipeline: ChannelPipeline.SynchronousOperations, shared: ProxyShared) throws {
        try pipeline.addHandler(StopRelay())
        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
        try pipeline.addHandler(ProxyConnectionHandler(shared: shared))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): perform(machine.requestHead(head))
        case .body(let part): perform(machine.requestBody(part))
        case .end: perform(machine.requestEnd())
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(machine.clientClosed())
        lane.finish()
        shared.lanes.add(lane)
        self.context = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is StopRelay.StopEvent {
            perform(machine.stop())
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        shared.logger.debug("client connection error: \(error)")
        context.close(promise: nil)
    }

    // MARK: From the upstream connection (its `UpstreamResponseHandler`)

    func upstreamRead(_ part: HTTPClientResponsePart, attempt: Int) {
        perform(machine.upstreamRead(part, attempt: attempt))
    }

    func upstreamFailed(_ error: any Error, attempt: Int) {
        perform(machine.upstreamFailed(error, attempt: attempt))
    }

    func upstreamClosed(attempt: Int) {
        perform(machine.upstreamClosed(attempt: attempt))
    }

    // MARK: Performing actions

    private func perform(_ actions: [ProxyAction], opened: (any Channel)? = nil) {
        for action in actions { perform(action, opened: opened) }
    }

    private func perform(_ action: ProxyAction, opened: (any Channel)?) {
        switch action {
        case .write(let part, let flush):
            if flush { context?.writeAndFlush(wrapOutboundOut(part), promise: nil) } else { context?.write(wrapOutboundOut(part), promise: nil) }
        case .flush: context?.flush()
        case .endResponse(let close): endResponse(close: close)
        case .closeClient: context?.close(promise: nil)
        case .connectUpstream(let attempt): connectUpstream(attempt)
        case .adoptUpstream: upstreamChannel = opened
        case .closeNewUpstream: opened?.close(promise: nil)
        case .sendUpstream(let part, let flush):
            if flush { upstreamChannel?.writeAndFlush(part, promise: nil) } else { upstreamChannel?.write(part, promise: nil) }
        case .flushUpstream: upstreamChannel?.flush()
        case .closeUpstream:
            let channel = upstreamChannel
            upstreamChannel = nil
            channel?.close(promise: nil)
        case .startTimeout: startTimeout()
        case .cancelTimeout:
            timeout?.cancel()
            timeout = nil
        case .archive(let exchange, let exchangeContext, let started, let timing): archive(exchange, exchangeContext, started: started, timing: timing)
        case .startStreamRecording(let start): startStreamRecording(start)
        case .recordStreamEvent(let raw, let arrived, let log): recordStreamEvent(raw, arrived: arrived, log: log)
        case .endStreamRecording(let finish):
            let recorder = shared.recorder
            lane.enqueue {
                await recorder.endStream(
                    finish.log, end: finish.end, leftover: finish.leftover, relayed: finish.relayed, request: finish.request, status: finish.status,
                    context: finish.context)
            }
        case .noteFailure(let cause):
            let recorder = shared.recorder
            lane.enqueue { await recorder.noteFailure(cause) }
        case .readHealth(let withBody): readHealth(withBody: withBody)
        case .explainTLSFailure(let failure): explainTLSFailure(failure)
        case .log(let level, let message): shared.logger.log(level: level, "\(message)")
        }
    }

    private func endResponse(close: Bool) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { [self] _ in
            if close { self.context?.close(promise: nil) }
        }
    }

    private func connectUpstream(_ attempt: Int) {
        guard let context else { return }
        let owner = NIOLoopBound(self, eventLoop: context.eventLoop)
        shared.connector.connect(context.eventLoop) { channel in
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.pipeline.syncOperations.addHandler(UpstreamResponseHandler(owner: owner.value, attempt: attempt))
        }
        .assumeIsolated()
        .whenComplete { [self] result in
            switch result {
            case .success(let channel): perform(machine.upstreamConnected(attempt: attempt, failure: nil), opened: channel)
            case .failure(let error): perform(machine.upstreamConnected(attempt: attempt, failure: error))
            }
        }
    }

    private func startTimeout() {
        guard let loop = context?.eventLoop.assumeIsolated() else { return }
        timeout = loop.scheduleTask(in: TimeAmount(shared.configuration.upstreamTimeout)) { [self] in
            timeout = nil
            perform(machine.upstreamTimedOut())
        }
    }

    // MARK: The recording lane

    private func archive(_ exchange: HTTPExchange, _ exchangeContext: ExchangeContext, started: ContinuousClock.Instant, timing: ExchangeTiming?) {
        guard let loop = context?.eventLoop else { return }
        let recorder = shared.recorder
        let archived = loop.makePromise(of: String?.self)
        lane.enqueue { archived.succeed(await recorder.record(exchange, context: exchangeContext, started: started, timing: timing)) }
        archived.futureResult.assumeIsolated().whenSuccess { [self] failure in perform(machine.exchangeArchived(failure: failure)) }
    }

    private func startStreamRecording(_ start: StreamStart) {
        guard let loop = context?.eventLoop else { return }
        let recorder = shared.recorder
        let started = loop.makePromise(of: String?.self)
        lane.enqueue {
            started.succeed(
                await recorder.startStream(
                    start.request, status: start.status, reason: start.reason, headers: start.headers, headDate: start.date, context: start.context,
                    into: start.log))
        }
        started.futureResult.assumeIsolated().whenSuccess { [self] failure in perform(machine.streamStartArchived(failure: failure)) }
    }

    private func recordStreamEvent(_ raw: [UInt8], arrived: WARCDate, log: StreamLog) {
        guard let loop = context?.eventLoop else { return }
        let recorder = shared.recorder
        let owner = NIOLoopBound(self, eventLoop: loop)
        lane.enqueue {
            if await recorder.recordEvent(raw, arrived: arrived, in: log) != nil {
                loop.execute { owner.value.perform(owner.value.machine.streamEventNotArchived(log)) }
            }
        }
    }

    // MARK: Questions

    private func readHealth(withBody: Bool) {
        guard let context else { return }
        let statistics = shared.recorder.statistics
        context.eventLoop.makeFutureWithTask { await statistics.health() }.assumeIsolated().whenSuccess { [self] health in
            perform(machine.healthRead(health, withBody: withBody))
        }
    }

    /// A refused certificate is explained by a second look at it before the 502 names the cause.
    private func explainTLSFailure(_ failure: any Error) {
        guard let context else { return }
        let shared = self.shared
        let explained = context.eventLoop.makeFutureWithTask {
            await TLSFailure.explain(failure, host: shared.upstream.host, port: shared.upstream.port, tls: shared.configuration.upstreamTLS)
        }
        explained.assumeIsolated().whenSuccess { [self] cause in perform(machine.tlsFailureExplained(cause, failure: failure)) }
    }

    /// Session numbering, attribution and the process's state, from what connections share.
    private static func environment(_ shared: ProxyShared) -> ProxyEnvironment {
        ProxyEnvironment(
            descriptorsExhausted: { shared.descriptors.isExhausted },
            recordingFailing: { shared.recorder.statistics.mayBeFailing },
            nextSequence: { shared.sessions.nextSequence(of: $0) },
            exchangeContext: { request, exchange in
                // A request without `X-Session-Id` belongs to the session of its `client_id`
                // (secrets calls) or, naming a wallet, to that wallet's folder (the thread list).
                let named = RequestIdentity.wallet(method: request.method, target: request.target, body: request.body)
                let clientID = RequestIdentity.clientID(target: request.target, body: request.body)
                let (session, sequence) = shared.sessions.attribute(session: exchange.sessionID, sequence: exchange.sequence, clientID: clientID)
                let wallet = shared.sessions.wallet(for: RequestIdentity(sessionID: session, wallet: named))
                return ExchangeContext(
                    sessionID: session, wallet: wallet, sequence: sequence, clientID: clientID, origin: exchange.recordedOrigin ?? shared.configuration.upstream,
                    rerunOf: shared.configuration.rerunMarks?.original(of: session))
            })
    }
}
