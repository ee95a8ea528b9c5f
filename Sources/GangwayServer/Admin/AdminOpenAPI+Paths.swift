extension AdminOpenAPI {
    /// `paths`: every route `AdminController` registers under `/admin`, with every status its
    /// handler (and `AdminAuthMiddleware`) can answer.
    static let paths = #"""
        {
          "/admin/channels": {
            "get": {
              "operationId": "listChannels",
              "tags": ["channels"],
              "summary": "Every configured channel with its stored calls and its live totals (never a secret)",
              "responses": {
                "200": {"description": "The channels in the order of the configuration", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChannelList"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}
              }
            }
          },
          "/admin/channels/{id}/recent": {
            "get": {
              "operationId": "listRecentWebhooks",
              "tags": ["channels"],
              "summary": "The channel's last webhooks (kept in memory, 50 per channel) with the calls made of them, newest first",
              "parameters": [
                {"$ref": "#/components/parameters/ChannelPath"},
                {"name": "after", "in": "query", "required": false, "description": "Only webhooks with a greater sequence number (what is new since the last poll).", "schema": {"type": "integer", "minimum": 0, "maximum": 9223372036854775807}}
              ],
              "responses": {
                "200": {"description": "The webhooks, newest first", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecentWebhookList"}}}},
                "400": {"$ref": "#/components/responses/BadRequest"},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "404": {"$ref": "#/components/responses/NotFound"}
              }
            }
          },
          "/admin/deliveries": {
            "get": {
              "operationId": "listDeliveries",
              "tags": ["deliveries"],
              "summary": "Stored calls, newest first",
              "parameters": [
                {"name": "state", "in": "query", "required": false, "description": "Only calls in this state; empty is the same as none.", "schema": {"$ref": "#/components/schemas/DeliveryState"}},
                {"name": "channel", "in": "query", "required": false, "description": "Only this channel's calls; empty is the same as none; a control character is 400.", "schema": {"type": "string", "maxLength": 256}},
                {"name": "limit", "in": "query", "required": false, "description": "At most this many.", "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}}
              ],
              "responses": {
                "200": {"description": "The calls, newest first", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeliveryList"}}}},
                "400": {"$ref": "#/components/responses/BadRequest"},
                "401": {"$ref": "#/components/responses/Unauthorized"}
              }
            },
            "delete": {
              "operationId": "purgeDeadLetters",
              "tags": ["deliveries"],
              "summary": "Removes dead letters, all of them or those older than a number of hours; never a pending or delivered call",
              "parameters": [
                {"name": "state", "in": "query", "required": true, "description": "Must be dead: only dead letters can be purged.", "schema": {"type": "string", "enum": ["dead"]}},
                {"name": "olderThanHours", "in": "query", "required": false, "description": "Only dead letters created more than this many hours ago: plain decimal digits, fractions allowed (0.5), at most 1000000.", "schema": {"type": "number", "minimum": 0, "maximum": 1000000}}
              ],
              "responses": {
                "200": {"description": "How many were removed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Count"}}}},
                "400": {"$ref": "#/components/responses/BadRequest"},
                "401": {"$ref": "#/components/responses/Unauthorized"}
              }
            }
          },
          "/admin/deliveries/{id}": {
            "get": {
              "operationId": "getDelivery",
              "tags": ["deliveries"],
              "summary": "One call: its envelope, attempts, last status and error (the same JSON as gangway deliveries show)",
              "parameters": [{"$ref": "#/components/parameters/DeliveryPath"}],
              "responses": {
                "200": {"description": "The call", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Delivery"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "404": {"$ref": "#/components/responses/NotFound"}
              }
            }
          },
          "/admin/deliveries/{id}/replay": {
            "post": {
              "operationId": "replayDelivery",
              "tags": ["deliveries"],
              "summary": "One dead letter back into the queue: attempts and age start afresh, the idempotency key stays",
              "parameters": [{"$ref": "#/components/parameters/DeliveryPath"}],
              "responses": {
                "200": {"description": "Replayed (count is 1)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Count"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "404": {"$ref": "#/components/responses/NotFound"},
                "409": {"description": "The call is pending or delivered, not dead", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
              }
            }
          },
          "/admin/deliveries/replay": {
            "post": {
              "operationId": "replayDeadLetters",
              "tags": ["deliveries"],
              "summary": "Every dead letter (of one channel, or of all) back into the queue",
              "parameters": [
                {"name": "channel", "in": "query", "required": false, "description": "Only this channel's dead letters; without it (or empty) every channel's; a control character is 400.", "schema": {"type": "string", "maxLength": 256}}
              ],
              "responses": {
                "200": {"description": "How many were replayed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Count"}}}},
                "400": {"$ref": "#/components/responses/BadRequest"},
                "401": {"$ref": "#/components/responses/Unauthorized"}
              }
            }
          },
          "/admin/reload": {
            "post": {
              "operationId": "reloadConfiguration",
              "tags": ["configuration"],
              "summary": "Re-reads the configuration file (as SIGHUP does); an invalid file is refused and the old configuration stays",
              "responses": {
                "200": {"description": "Applied; settings that need a restart keep their running values and are named", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReloadApplied"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "409": {"description": "This gateway was not started from a file", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "422": {"description": "The file has errors, each with its place; nothing changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReloadRefused"}}}}
              }
            }
          },
          "/admin/conversations": {
            "get": {
              "operationId": "findConversation",
              "tags": ["conversations"],
              "summary": "The chatbot API's conversations/find for the channel's chatbot and channelId, called with the channel's API key (never shown)",
              "parameters": [
                {"name": "channel", "in": "query", "required": true, "description": "A configured channel's id.", "schema": {"type": "string", "minLength": 1}},
                {"name": "providerId", "in": "query", "required": true, "description": "The user's id on the provider, as the gateway sends it.", "schema": {"type": "string", "minLength": 1}}
              ],
              "responses": {
                "200": {"description": "The conversation as the chatbot API answered it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConversationFound"}}}},
                "400": {"description": "channel or providerId is missing or empty", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "404": {"description": "No such channel, or the chatbot API has no such conversation (then with upstreamStatus 404)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpstreamError"}}}},
                "502": {"description": "The chatbot API answered another non-2xx status (upstreamStatus) or cannot be reached", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpstreamError"}}}}
              }
            }
          },
          "/admin/schema/upstream-envelope.json": {
            "get": {
              "operationId": "getEnvelopeSchema",
              "tags": ["documents"],
              "summary": "The JSON Schema (2020-12) of the bodies the gateway sends to handle and event",
              "responses": {
                "200": {"description": "The schema", "content": {"application/schema+json": {"schema": {"type": "object", "required": ["$schema"], "properties": {"$schema": {"const": "https://json-schema.org/draft/2020-12/schema"}}}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}
              }
            }
          },
          "/admin/openapi.json": {
            "get": {
              "operationId": "getOpenAPIDocument",
              "tags": ["documents"],
              "summary": "This document",
              "responses": {
                "200": {"description": "The OpenAPI 3.1 document of every /admin route", "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "info", "paths", "components"], "properties": {"openapi": {"const": "3.1.0"}}}}}},
                "401": {"$ref": "#/components/responses/Unauthorized"}
              }
            }
          }
        }
        """#
}
