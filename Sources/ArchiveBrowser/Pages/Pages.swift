/// The browser's pages as HTML, from their models, one file per page (`Pages+Session.swift`).
/// Every recorded value goes through `HTML` interpolation, so it is escaped.
enum Pages {
    static func problem(_ message: String, heading: String = "Not here") -> HTML {
        "<h1>\(heading)</h1><p class=\"error\">\(message)</p><p><a href=\"/\">All wallets</a></p>"
    }
}
