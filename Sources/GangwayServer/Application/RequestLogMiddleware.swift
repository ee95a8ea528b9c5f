import Foundation
import Hummingbird
import Logging

/// Logs each request at debug level (method, path without query, status, duration). Never
/// headers or bodies: signatures and tokens travel there.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        if context.logger.logLevel <= .debug {
            let elapsed = ContinuousClock.now - start
            context.logger.debug(
                "request",
                metadata: [
                    "http.method": "\(request.method.rawValue)", "http.path": "\(request.uri.path)",
                    "http.status": "\(response.status.code)", "http.duration": "\(elapsed)",
                ])
        }
        return response
    }
}
