/// The OpenAPI 3.1 document of every `/admin` route (`GET /admin/openapi.json`).
///
/// Written by hand after the handlers (`AdminController`, `AdminController+Console`,
/// `AdminAuthMiddleware`, `Delivery.json`), not generated from them, and not the other way round:
/// spec-first with swift-openapi-generator was considered and not chosen, because its build plugin
/// would run in every CI build and the working handlers would be rewritten around generated types.
/// The guard against drift is the tests: `Tests/GangwayServerTests/AdminOpenAPITests.swift` (every
/// route `AdminController` registers is documented, and nothing else) and `Tests/e2e/test_openapi.py`
/// (the document validates, and schemathesis checks every operation of a running gateway against it:
/// statuses, content types, response schemas and headers). A change of a handler's answer needs the
/// same change here.
///
/// The document is `paths` (``paths``) and `components.schemas` (``schemas``) put together with the
/// parts below; each is JSON text.
enum AdminOpenAPI {
    static let document = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Gangway admin API",
            "version": "1",
            "description": "Channels, stored calls and dead letters, configuration reload and the chatbot API's conversations of a Gangway webhook gateway. Every route needs Authorization: Bearer <admin.token> (401 otherwise); with no admin.token configured the admin routes do not exist (404 without a body). Answers are JSON; a refusal is {\"error\": \"...\"}; a list is {\"items\": [...]}."
          },
          "security": [{"bearerAuth": []}],
          "tags": [
            {"name": "channels", "description": "The configured channels and what they received"},
            {"name": "deliveries", "description": "Stored calls: list, show, replay dead letters, purge"},
            {"name": "configuration", "description": "Live reload of the configuration file"},
            {"name": "conversations", "description": "The chatbot API's conversations, through the gateway"},
            {"name": "documents", "description": "Schemas of the gateway's contracts"}
          ],
          "paths": \#(paths),
          "components": {
            "securitySchemes": {
              "bearerAuth": {"type": "http", "scheme": "bearer", "description": "The configuration's admin.token."}
            },
            "parameters": {
              "ChannelPath": {"name": "id", "in": "path", "required": true, "description": "A configured channel's id.", "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"}},
              "DeliveryPath": {"name": "id", "in": "path", "required": true, "description": "A stored call's id (not a number, or unknown: 404).", "schema": {"type": "integer", "format": "int64", "minimum": 1}}
            },
            "headers": {
              "WWW-Authenticate": {"required": true, "description": "Always Bearer.", "schema": {"type": "string", "const": "Bearer"}}
            },
            "responses": {
              "Unauthorized": {
                "description": "The bearer token is missing or wrong",
                "headers": {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
              },
              "BadRequest": {
                "description": "A query parameter is out of its bounds",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
              },
              "NotFound": {
                "description": "No such channel or call",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
              }
            },
            "schemas": \#(schemas)
          }
        }
        """#
}
