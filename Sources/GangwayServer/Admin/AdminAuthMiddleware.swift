import GangwayCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `Authorization: Bearer <admin.token>` on every `/admin` route; 401 otherwise.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let state: GatewayState

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = state.loaded.value.configuration.admin.token else {
            return Response(status: .notFound)
        }
        let given = request.headers[.authorization] ?? ""
        guard given.hasPrefix("Bearer "), Signatures.constantTimeEquals(String(given.dropFirst(7)), token.value) else {
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[.wwwAuthenticate] = "Bearer"
            return Response(
                status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"missing or wrong bearer token\"}")))
        }
        return try await next(request, context)
    }
}
