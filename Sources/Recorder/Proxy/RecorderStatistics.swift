/// Counters for the recorder's closing summary.
public actor RecorderStatistics {
    public private(set) var exchanges = 0
    public private(set) var streams = 0
    public private(set) var bytesIn: Int64 = 0
    public private(set) var bytesOut: Int64 = 0
    public private(set) var upstreamErrors = 0

    func exchange(requestBytes: Int, responseBytes: Int, failed: Bool) {
        exchanges += 1
        bytesIn += Int64(requestBytes)
        bytesOut += Int64(responseBytes)
        if failed { upstreamErrors += 1 }
    }

    func stream(bytes: Int) {
        streams += 1
        bytesOut += Int64(bytes)
    }
}
