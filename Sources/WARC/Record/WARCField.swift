/// Names of the WARC 1.1 header fields this package reads or writes.
public enum WARCField {
    public static let type = "WARC-Type"
    public static let recordID = "WARC-Record-ID"
    public static let date = "WARC-Date"
    public static let contentLength = "Content-Length"
    public static let contentType = "Content-Type"
    public static let concurrentTo = "WARC-Concurrent-To"
    public static let blockDigest = "WARC-Block-Digest"
    public static let payloadDigest = "WARC-Payload-Digest"
    public static let targetURI = "WARC-Target-URI"
    public static let warcinfoID = "WARC-Warcinfo-ID"
    public static let filename = "WARC-Filename"
    public static let profile = "WARC-Profile"
    public static let refersTo = "WARC-Refers-To"
    public static let refersToTargetURI = "WARC-Refers-To-Target-URI"
    public static let refersToDate = "WARC-Refers-To-Date"
    public static let segmentNumber = "WARC-Segment-Number"
    public static let segmentOriginID = "WARC-Segment-Origin-ID"
    public static let segmentTotalLength = "WARC-Segment-Total-Length"
    public static let truncated = "WARC-Truncated"
}

/// Well-known values of WARC header fields.
public enum WARCValue {
    public static let httpRequestContentType = "application/http;msgtype=request"
    public static let httpResponseContentType = "application/http;msgtype=response"
    public static let warcFieldsContentType = "application/warc-fields"
    public static let identicalPayloadDigestProfile = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
}
