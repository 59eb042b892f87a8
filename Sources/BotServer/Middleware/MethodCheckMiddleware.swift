import Hummingbird

/// A wrong method on a known path is 405 with `Allow`, not a misleading 404.
package struct MethodCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    private let allowed: [String: HTTPRequest.Method]

    package init(allowed: [String: HTTPRequest.Method]) {
        self.allowed = allowed
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let method = allowed[request.uri.path], method != request.method, !(method == .get && request.method == .head) {
            return Response(status: .methodNotAllowed, headers: [.allow: method.rawValue])
        }
        return try await next(request, context)
    }
}
