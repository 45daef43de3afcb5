/// The paths of the Aomi API, documented and those the real client also calls.
public enum AomiPath {
    public static let sessions = "/api/sessions"
    public static let chat = "/api/chat"
    public static let state = "/api/state"
    public static let interrupt = "/api/interrupt"
    public static let updates = "/api/updates"
    public static let system = "/api/system"
    public static let events = "/api/events"
    public static let secrets = "/api/secrets"
    public static let simulate = "/api/simulate"
    public static let model = "/api/control/model"
    public static let models = "/api/control/models"
    public static let apps = "/api/control/apps"
    public static let providerKeys = "/api/control/provider-keys"
}
