import CCurl
import Synchronization

/// Set from any thread when the awaiting task is cancelled; polled by the transfer.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

/// Userdata for libcurl's write and header callbacks. Lives for one transfer and is only
/// touched on the worker thread running `curl_easy_perform`.
final class ResponseCollector {
    /// Response header bytes are capped separately from the body.
    static let maxHeaderBytes = 256 << 10

    let maxBodyBytes: Int
    let cancellation: CancellationFlag
    private(set) var body: [UInt8] = []
    private(set) var headers: [(String, String)] = []
    private(set) var exceededLimit = false
    private var headerBytes = 0

    init(maxBodyBytes: Int, cancellation: CancellationFlag) {
        self.maxBodyBytes = max(0, maxBodyBytes)
        self.cancellation = cancellation
    }

    /// Returns false to make libcurl abort the transfer.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if cancellation.isSet { return false }
        if bytes.count > maxBodyBytes - body.count {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// libcurl hands over one complete header line per call, including the status line
    /// and the blank line ending each block. Only the last block is kept (100-continue,
    /// proxy CONNECT responses and the like come first).
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if cancellation.isSet { return false }
        headerBytes += bytes.count
        if headerBytes > Self.maxHeaderBytes {
            exceededLimit = true
            return false
        }
        // Strip the line terminator on bytes: "\r\n" is a single Character in Swift.
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0D || bytes[end - 1] == 0x0A { end -= 1 }
        let line = Substring(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
            return true
        }
        if line.isEmpty { return true }
        if let first = line.first, first == " " || first == "\t", let previous = headers.popLast() {
            // Obsolete line folding: continuation of the previous value.
            headers.append((previous.0, previous.1 + " " + Self.trimmed(line)))
            return true
        }
        guard let colon = line.firstIndex(of: ":") else { return true }
        let name = Self.trimmed(line[..<colon]).lowercased()
        let value = Self.trimmed(line[line.index(after: colon)...])
        if !name.isEmpty { headers.append((name, value)) }
        return true
    }

    private static func trimmed(_ text: Substring) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = text.firstIndex(where: { !isSpace($0) }),
              let end = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[start...end])
    }
}

/// libcurl write callback; `userdata` is an unretained ``ResponseCollector`` kept alive by the transfer.
func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let userdata else { return 0 }
    let collector = Unmanaged<ResponseCollector>.fromOpaque(userdata).takeUnretainedValue()
    let total = size * count
    guard total > 0, let data else { return total }
    return collector.appendBody(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

/// libcurl header callback; same userdata contract as ``curlWriteCallback``.
func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let userdata else { return 0 }
    let collector = Unmanaged<ResponseCollector>.fromOpaque(userdata).takeUnretainedValue()
    let total = size * count
    guard total > 0, let data else { return total }
    return collector.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

/// libcurl progress callback (same userdata): aborts a cancelled transfer within about a second even when the server
/// sends nothing, so the worker thread is free again instead of waiting out the request timeout.
func curlProgressCallback(
    _ userdata: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloaded: curl_off_t, _ uploadTotal: curl_off_t,
    _ uploaded: curl_off_t
) -> Int32 {
    guard let userdata else { return 0 }
    return Unmanaged<ResponseCollector>.fromOpaque(userdata).takeUnretainedValue().cancellation.isSet ? 1 : 0
}
