import CCurl

/// One blocking libcurl transfer. Must only be called on a ``WorkerPool`` thread.
struct CurlTransfer {
    let request: HTTPRequest
    let cancellation: CancellationFlag

    private var safeURL: String { RedactedURL.render(request.url) }

    func perform() throws -> HTTPResponse {
        guard CurlOptions.ensureGlobalInit() else {
            throw HTTPClientError.other(url: safeURL, detail: "libcurl global initialisation failed")
        }
        if cancellation.isSet { throw CancellationError() }
        try RequestValidation.validate(request, safeURL: safeURL)
        guard let raw = curl_easy_init() else {
            throw HTTPClientError.other(url: safeURL, detail: "curl_easy_init failed")
        }
        defer { curl_easy_cleanup(raw) }
        let handle = CurlHandle(raw: raw)

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for line in headerLines() {
            guard let appended = curl_slist_append(headerList, line) else {
                throw HTTPClientError.other(url: safeURL, detail: "out of memory building headers")
            }
            headerList = appended
        }

        // Body bytes must stay alive until curl_easy_perform returns (POSTFIELDS is not copied).
        let bodyBytes = requestBody()
        let bodyBuffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bodyBytes?.count ?? 0))
        defer { bodyBuffer.deallocate() }
        if let bodyBytes { _ = bodyBuffer.initialize(fromContentsOf: bodyBytes) }

        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let collector = ResponseCollector(maxBodyBytes: request.maxResponseBytes, cancellation: cancellation)
        let userdata = Unmanaged.passUnretained(collector).toOpaque()

        do {
            try handle.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
            try handle.set(CURLOPT_URL, request.url)
            try handle.set(CURLOPT_PROTOCOLS_STR, "http,https")
            try handle.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
            try handle.set(CURLOPT_NOSIGNAL, 1)
            try handle.set(CURLOPT_FOLLOWLOCATION, 0)
            let timeoutMS = max(1, CurlOptions.milliseconds(request.timeout))
            try handle.set(CURLOPT_TIMEOUT_MS, timeoutMS)
            try handle.set(CURLOPT_CONNECTTIMEOUT_MS, min(timeoutMS, 5000))
            if let caFile = request.caFile { try handle.set(CURLOPT_CAINFO, caFile) }
            try handle.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(max(0, request.maxResponseBytes)))
            try handle.set(CURLOPT_HTTPHEADER, list: headerList)
            try handle.set(CURLOPT_WRITEFUNCTION, callback: curlWriteCallback)
            try handle.set(CURLOPT_WRITEDATA, pointer: userdata)
            try handle.set(CURLOPT_HEADERFUNCTION, callback: curlHeaderCallback)
            try handle.set(CURLOPT_HEADERDATA, pointer: userdata)
            try handle.set(CURLOPT_XFERINFOFUNCTION, progress: curlProgressCallback)
            try handle.set(CURLOPT_XFERINFODATA, pointer: userdata)
            try handle.set(CURLOPT_NOPROGRESS, 0)
            try setMethod(handle, body: bodyBytes.map { (buffer: bodyBuffer, count: $0.count) })
        } catch {
            throw CurlErrorMapping.error(for: error.code, request: request, message: "")
        }

        let start = ContinuousClock.now
        let code = withExtendedLifetime(collector) { curl_easy_perform(raw) }
        let elapsed = ContinuousClock.now - start

        if code != CURLE_OK {
            if cancellation.isSet { throw CancellationError() }
            if collector.exceededLimit || code == CURLE_FILESIZE_EXCEEDED {
                throw HTTPClientError.tooLarge(url: safeURL, maxBytes: request.maxResponseBytes)
            }
            let message = String(cString: errorBuffer)
            throw CurlErrorMapping.error(for: code, request: request, message: message)
        }
        return HTTPResponse(
            status: handle.responseCode(), headers: collector.headers, body: collector.body, elapsed: elapsed)
    }

    private var upperMethod: String { request.method.uppercased() }

    /// POST/PUT/PATCH always send a body (empty if none was given) so Content-Length is set.
    private func requestBody() -> [UInt8]? {
        if let body = request.body { return body }
        return ["POST", "PUT", "PATCH"].contains(upperMethod) ? [] : nil
    }

    private func setMethod(
        _ handle: CurlHandle, body: (buffer: UnsafeMutableBufferPointer<UInt8>, count: Int)?
    ) throws(CurlSetoptFailure) {
        let method = upperMethod
        if method == "HEAD" {
            try handle.set(CURLOPT_NOBODY, 1)
            return
        }
        if method == "GET" && body == nil {
            try handle.set(CURLOPT_HTTPGET, 1)
            return
        }
        if let body, let base = body.buffer.baseAddress {
            try handle.set(CURLOPT_POST, 1)
            try handle.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
            try handle.set(CURLOPT_POSTFIELDS, pointer: UnsafeMutableRawPointer(base))
        }
        if method != "POST" { try handle.set(CURLOPT_CUSTOMREQUEST, method) }
    }

    /// Request headers as curl_slist lines. `Expect:` disables 100-continue; a missing
    /// Content-Type is sent as none rather than curl's default form encoding.
    private func headerLines() -> [String] {
        var lines: [String] = []
        var hasContentType = false
        for (name, value) in request.headers {
            if name.lowercased() == "content-type" { hasContentType = true }
            // "Name:" would remove the header in libcurl; "Name;" sends it with an empty value.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if !request.headers.contains(where: { $0.0.lowercased() == "expect" }) { lines.append("Expect:") }
        if !hasContentType && requestBody() != nil { lines.append("Content-Type:") }
        return lines
    }
}
