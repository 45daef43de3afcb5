/// What one driven thread sends with its requests, as the real client's `Session` holds it:
/// its session id, its own random `client_id`, the wallet and `user_state`.
struct ThreadClient: Sendable {
    let session: String
    let clientID: String
    let wallet: String
    let walletIndex: Int
    let thread: Int
    let userState: String
}
