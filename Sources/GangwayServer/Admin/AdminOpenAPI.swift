/// The OpenAPI 3.1 document of every `/admin` route (`GET /admin/openapi.json`).
enum AdminOpenAPI {
    static let document = #"""
        {"openapi": "3.1.0", "info": {"title": "Gangway admin API", "version": "1"}, "paths": {}}
        """#
}
