/// Header names of the Aomi API.
public enum AomiHeader {
    public static let sessionID = "X-Session-Id"
    /// The App key as the documentation names it.
    public static let appKey = "AOMI-APP-KEY"
    /// The App key as the real client sends it.
    public static let apiKey = "X-API-Key"
}

/// The App that needs no key.
public enum AomiApp {
    public static let defaultName = "default"
}
