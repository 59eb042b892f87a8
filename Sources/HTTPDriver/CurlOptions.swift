import CCurl

/// Process-wide libcurl initialisation and small typed helpers over the variadic setopt API.
enum CurlOptions {
    /// `curl_global_init` runs exactly once per process: Swift global/static `let`
    /// initialisers are lazy and thread-safe (`swift_once`).
    private static let globalInitResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Returns false if libcurl could not be initialised.
    static func ensureGlobalInit() -> Bool { globalInitResult == CURLE_OK }

    /// Whole milliseconds in `duration`, clamped to `0...Int.max`.
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return Int.max }
        let total = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return total.overflow ? Int.max : Int(total.partialValue)
    }
}

/// A failed `curl_easy_setopt`; turned into an ``HTTPClientError`` by the transfer.
struct CurlSetoptFailure: Error {
    let code: CURLcode
}

/// Thin checked wrappers over the shim's typed setopt functions for one easy handle.
struct CurlHandle {
    let raw: UnsafeMutableRawPointer

    func set(_ option: CURLoption, _ value: Int) throws(CurlSetoptFailure) {
        try check(hb_curl_setopt_long(raw, option, value))
    }

    func set(_ option: CURLoption, _ value: String) throws(CurlSetoptFailure) {
        // libcurl copies string options (since 7.17), so a temporary C string is enough.
        try check(value.withCString { hb_curl_setopt_string(raw, option, $0) })
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(CurlSetoptFailure) {
        try check(hb_curl_setopt_pointer(raw, option, pointer))
    }

    func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) throws(CurlSetoptFailure) {
        try check(hb_curl_setopt_slist(raw, option, list))
    }

    func set(_ option: CURLoption, callback: hb_curl_data_cb) throws(CurlSetoptFailure) {
        try check(hb_curl_setopt_data_cb(raw, option, callback))
    }

    func set(_ option: CURLoption, progress: hb_curl_xferinfo_cb) throws(CurlSetoptFailure) {
        try check(hb_curl_setopt_xferinfo_cb(raw, option, progress))
    }

    func set(_ option: CURLoption, offset: Int64) throws(CurlSetoptFailure) {
        try check(hb_curl_setopt_off(raw, option, curl_off_t(offset)))
    }

    func responseCode() -> Int {
        var code = 0
        _ = hb_curl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func check(_ code: CURLcode) throws(CurlSetoptFailure) {
        if code != CURLE_OK { throw CurlSetoptFailure(code: code) }
    }
}
