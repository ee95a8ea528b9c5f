import Foundation
import GangwayCore
import GangwayDelivery
import Hummingbird
import NIOHTTP1
import Testing

@testable import GangwayServer

/// `GET /admin/openapi.json` against the routes themselves: what `AdminController` registers under
/// `/admin` is exactly what the document describes (the e2e test runs schemathesis on the answers).
@Suite struct AdminOpenAPITests {
    /// "METHOD /path/{param}" of every operation in the document.
    static func documentedOperations() throws -> Set<String> {
        let document = try JSONValue.parse(Array(AdminOpenAPI.document.utf8))
        #expect(document["openapi"]?.string == "3.1.0")
        let paths = try #require(document["paths"]?.members)
        var operations: Set<String> = []
        for (path, item) in paths {
            for (method, _) in item.members ?? [] { operations.insert("\(method.uppercased()) \(path)") }
        }
        return operations
    }

    @Test func everyAdminRouteIsDocumentedAndNothingElse() async throws {
        let documented = try Self.documentedOperations()
        try await withGateway { h in
            let router = Router(context: GatewayRequestContext.self)
            AdminController(
                state: h.gateway.state, store: h.gateway.store, dispatcher: h.gateway.dispatcher, reloader: h.gateway.reloader,
                client: h.gateway.client, activity: ChannelActivity(), recent: RecentWebhooks()
            ).addRoutes(to: router.group("admin"))
            let registered = Set(router.routes.map { route in "\(route.method) /\(route.path.description.drop { $0 == "/" })" })
            #expect(registered.count >= 11)
            #expect(registered.allSatisfy { $0.split(separator: " ").last?.hasPrefix("/admin/") == true })
            #expect(registered.subtracting(documented).isEmpty, "registered, not documented: \(registered.subtracting(documented).sorted())")
            #expect(documented.subtracting(registered).isEmpty, "documented, not registered: \(documented.subtracting(registered).sorted())")

            // The gateway serves this document, with the token only.
            let served = try await h.admin(.GET, "/openapi.json")
            #expect(served.status == 200 && served.header("content-type") == "application/json")
            #expect(served.body == AdminOpenAPI.document)
            #expect(try await h.admin(.GET, "/openapi.json", token: nil).status == 401)
        }
    }

    @Test func everyReferenceResolves() throws {
        let document = try JSONValue.parse(Array(AdminOpenAPI.document.utf8))
        var references: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let members):
                for (name, member) in members {
                    if name == "$ref", let ref = member.string { references.append(ref) } else { collect(member) }
                }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(document)
        #expect(references.count > 20)
        for ref in references {
            #expect(ref.hasPrefix("#/"))
            let keys = ref.dropFirst(2).split(separator: "/").map(String.init)
            var node: JSONValue? = document
            for key in keys { node = node?[key] }
            #expect(node != nil, "unresolved \(ref)")
        }
    }
}
