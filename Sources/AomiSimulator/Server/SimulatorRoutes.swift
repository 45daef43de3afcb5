import AomiAPI
import Hummingbird
import ServiceLifecycle

/// The stand-in backend's HTTP API: every documented endpoint and those the real client also calls.
public struct SimulatorRoutes: Sendable {
    public let backend: SimulatorBackend

    public init(backend: SimulatorBackend) {
        self.backend = backend
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SimulatorCORSMiddleware(cors: backend.configuration.cors))
        router.add(middleware: JSONErrorMiddleware())
        addSessionRoutes(to: router)
        addChatRoutes(to: router)
        addControlRoutes(to: router)
        addSecretRoutes(to: router)
        return router
    }

    private var limit: Int { backend.configuration.maxBodyBytes }

    // MARK: Sessions

    private func addSessionRoutes(to router: Router<BasicRequestContext>) {
        let backend = self.backend
        let limit = self.limit
        router.post("/api/sessions") { request, _ in
            let id = try request.requireSessionID()
            let body = try await request.jsonBody(limit: limit)
            let wallet = (body?["public_key"]?.stringValue ?? request.query("public_key")).flatMap(WalletAddress.init)
            return JSONResponse.ok(await backend.createSession(id, wallet: wallet))
        }
        // The real client lists threads without X-Session-Id: the list belongs to the wallet.
        router.get("/api/sessions") { request, _ in
            let key = try request.requireQuery("public_key")
            guard let wallet = WalletAddress(key) else { throw APIError(status: 400, "public_key is not a wallet address: \(key.prefix(60))") }
            return JSONResponse.ok(await backend.threads(of: wallet, includeArchived: request.query("include_archived") == "true"))
        }
        router.get("/api/sessions/{id}") { _, context in
            let id = try context.parameters.require("id")
            guard let session = await backend.existingSession(id) else { throw APIError(status: 404, "no session \(id)") }
            return JSONResponse.ok(session.summary)
        }
        router.patch("/api/sessions/{id}") { request, context in
            let id = try context.parameters.require("id")
            guard let title = try await request.jsonBody(limit: limit)?["title"]?.stringValue, !title.isEmpty else {
                throw APIError(status: 400, "body must be {\"title\": \"…\"}")
            }
            guard let summary = await backend.rename(id, to: title) else { throw APIError(status: 404, "no session \(id)") }
            return JSONResponse.ok(summary)
        }
        router.delete("/api/sessions/{id}") { _, context in
            let id = try context.parameters.require("id")
            guard await backend.delete(id) else { throw APIError(status: 404, "no session \(id)") }
            return JSONResponse.ok(["success": true])
        }
        for (action, archived) in [("archive", true), ("unarchive", false)] {
            router.post("/api/sessions/{id}/\(action)") { _, context in
                let id = try context.parameters.require("id")
                guard await backend.setArchived(id, archived) else { throw APIError(status: 404, "no session \(id)") }
                return JSONResponse.ok(["success": true])
            }
        }
    }

    // MARK: Chat, state, updates

    private func addChatRoutes(to router: Router<BasicRequestContext>) {
        let backend = self.backend
        router.post("/api/chat") { request, _ in
            let id = try request.requireSessionID()
            let message = try request.requireQuery("message")
            try checkAppKey(request, backend.configuration)
            await bindWallet(request, id)
            return JSONResponse.ok(await backend.chat(id, message: message))
        }
        router.get("/api/state") { request, _ in
            let id = try request.requireSessionID()
            await bindWallet(request, id)
            return JSONResponse.ok(await backend.poll(id))
        }
        router.post("/api/interrupt") { request, _ in
            let id = try request.requireSessionID()
            return JSONResponse.ok(await backend.interrupt(id))
        }
        router.post("/api/system") { request, _ in
            let id = try request.requireSessionID()
            let message = try request.requireQuery("message")
            return JSONResponse.ok(try await backend.systemMessage(id, message: message))
        }
        router.get("/api/events") { request, _ in
            let id = try request.requireSessionID()
            let count = request.query("count").flatMap { Int($0) }
            let events = await backend.systemEvents(id, count: count)
            guard !events.isEmpty else { throw APIError(status: 404, "no system events for session \(id)") }
            return JSONResponse.ok(events)
        }
        router.get("/api/updates") { request, _ in
            let id = try request.requireSessionID()
            let events = await backend.subscribe(id)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    for try await event in events.cancelOnGracefulShutdown() {
                        try await writer.write(ByteBuffer(bytes: event.raw))
                    }
                    try await writer.finish(nil)
                }
            )
        }
        router.post("/api/simulate") { request, _ in
            _ = try request.requireSessionID()
            guard case let .array(transactions)? = try await request.jsonBody(limit: backend.configuration.maxBodyBytes)?["transactions"] else {
                throw APIError(status: 400, "body must be {\"transactions\": [...]}")
            }
            let results: [JSONValue] = transactions.enumerated().map { index, transaction in
                var random = SeededRandom(seed: backend.configuration.seed, String(describing: transaction))
                return .object(["index": .number(Double(index)), "success": .bool(true), "gas_used": .number(Double(random.int(in: 21_000...250_000)))])
            }
            return JSONResponse.ok(["results": JSONValue.array(results)])
        }

        @Sendable func bindWallet(_ request: Request, _ id: String) async {
            await backend.bind(id, publicKey: request.query("public_key"), userState: request.query("user_state"))
        }
    }

    // MARK: Control

    private func addControlRoutes(to router: Router<BasicRequestContext>) {
        let backend = self.backend
        let limit = self.limit
        router.get("/api/control/models") { _, _ in
            JSONResponse.ok(backend.configuration.models)
        }
        router.post("/api/control/model") { request, _ in
            let id = try request.requireSessionID()
            let rig = try request.requireQuery("rig")
            try checkAppKey(request, backend.configuration)
            guard backend.configuration.models.contains(rig) else { throw APIError(status: 400, "unknown model \(rig)") }
            let created = await backend.setModel(id, rig: rig)
            return JSONResponse.ok(ModelChange(success: true, rig: rig, baml: "baml/\(rig).baml", created: created))
        }
        router.get("/api/control/apps") { request, _ in
            _ = try request.requireSessionID()
            try checkAppKey(request, backend.configuration)
            return JSONResponse.ok(backend.configuration.apps.map(\.name))
        }
        router.get("/api/control/provider-keys") { _, _ in
            JSONResponse.ok(await backend.providerKeyHints())
        }
        router.post("/api/control/provider-keys") { request, _ in
            let body = try await request.jsonBody(limit: limit)
            guard let provider = body?["provider"]?.stringValue, let key = body?["api_key"]?.stringValue else {
                throw APIError(status: 400, "body must be {\"provider\": …, \"api_key\": …}")
            }
            await backend.setProviderKey(provider, key)
            return JSONResponse.ok(["success": JSONValue.bool(true), "provider": .string(provider)])
        }
        router.delete("/api/control/provider-keys/{provider}") { _, context in
            let provider = try context.parameters.require("provider")
            guard await backend.removeProviderKey(provider) else { throw APIError(status: 404, "no key for provider \(provider)") }
            return JSONResponse.ok(["success": true])
        }
    }

    // MARK: Secrets

    private func addSecretRoutes(to router: Router<BasicRequestContext>) {
        let backend = self.backend
        let limit = self.limit
        router.post("/api/secrets") { request, _ in
            let body = try await request.jsonBody(limit: limit)
            guard let clientID = body?["client_id"]?.stringValue, let values = body?["secrets"]?.objectValue else {
                throw APIError(status: 400, "body must be {\"client_id\": …, \"secrets\": {NAME: VALUE}}")
            }
            let strings = values.compactMapValues(\.stringValue)
            return JSONResponse.ok(["handles": await backend.storeSecrets(clientID: clientID, strings)])
        }
        router.delete("/api/secrets") { request, _ in
            let clientID = try request.requireQuery("client_id")
            return JSONResponse.ok(["removed": await backend.clearSecrets(clientID: clientID)])
        }
        router.delete("/api/secrets/{name}") { request, context in
            let clientID = try request.requireQuery("client_id")
            let name = try context.parameters.require("name")
            guard await backend.removeSecret(clientID: clientID, name: name) else { throw APIError(status: 404, "no secret \(name) for client \(clientID)") }
            return JSONResponse.ok(["success": true])
        }
    }
}

/// The body of `POST /api/control/model`.
struct ModelChange: Codable {
    var success: Bool
    var rig: String
    var baml: String
    var created: Bool
}

/// 401 for a keyed App without a key, 403 for a key not valid for it; `default` ignores keys.
@Sendable func checkAppKey(_ request: Request, _ configuration: SimulatorConfiguration) throws(APIError) {
    let app = request.query("app") ?? AomiApp.defaultName
    guard app != AomiApp.defaultName else { return }
    guard configuration.apps.contains(where: { $0.name == app }) else { throw APIError(status: 404, "no App named \(app)") }
    guard let key = request.appKey, !key.isEmpty else { throw APIError(status: 401, "App \(app) needs an App key (\(AomiHeader.appKey) or \(AomiHeader.apiKey))") }
    guard configuration.appKeys[app] == key else { throw APIError(status: 403, "this App key does not authorize App \(app)") }
}
