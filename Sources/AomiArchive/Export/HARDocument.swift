/// A HAR 1.2 document (the format browsers' developer tools import and export).
struct HARDocument: Encodable {
    struct Log: Encodable {
        var version = "1.2"
        var creator = Creator()
        var pages: [Page] = []
        var entries: [Entry]
    }

    struct Creator: Encodable {
        var name = "aomi-archive"
        var version = "0.1.0"
    }

    struct Page: Encodable {
        var startedDateTime: String
        var id: String
        var title: String
        var pageTimings = PageTimings()
    }

    struct PageTimings: Encodable {
        var onContentLoad = -1
        var onLoad = -1
    }

    struct Entry: Encodable {
        var pageref: String
        var startedDateTime: String
        var time: Double
        var request: Request
        var response: Response
        var cache: [String: String] = [:]
        var timings: Timings
        var _aomiSession: String
        var _aomiSequence: Int
    }

    struct Request: Encodable {
        var method: String
        var url: String
        var httpVersion = "HTTP/1.1"
        var cookies: [NameValue] = []
        var headers: [NameValue]
        var queryString: [NameValue]
        var postData: PostData?
        var headersSize = -1
        var bodySize: Int
    }

    struct PostData: Encodable {
        var mimeType: String
        var text: String
    }

    struct Response: Encodable {
        var status: Int
        var statusText: String
        var httpVersion = "HTTP/1.1"
        var cookies: [NameValue] = []
        var headers: [NameValue]
        var content: Content
        var redirectURL = ""
        var headersSize = -1
        var bodySize: Int
    }

    struct Content: Encodable {
        var size: Int
        var mimeType: String
        var text: String
    }

    struct Timings: Encodable {
        var send: Double = 0
        var wait: Double
        var receive: Double
    }

    struct NameValue: Encodable {
        var name: String
        var value: String
    }

    var log: Log
}
