extension AdminOpenAPI {
    /// `components.schemas`: the bodies exactly as the handlers write them (`AdminController`,
    /// `Delivery.json`, `ChannelActivity`, `RecentWebhooks`); every member they always write is required.
    static let schemas = #"""
        {
          "Error": {
            "type": "object",
            "description": "Every refusal of the admin API.",
            "required": ["error"],
            "properties": {"error": {"type": "string"}},
            "additionalProperties": false
          },
          "UpstreamError": {
            "type": "object",
            "description": "A refusal of GET /admin/conversations: upstreamStatus is the chatbot API's status when it answered.",
            "required": ["error"],
            "properties": {"error": {"type": "string"}, "upstreamStatus": {"type": "integer"}},
            "additionalProperties": false
          },
          "Count": {
            "type": "object",
            "required": ["count"],
            "properties": {"count": {"type": "integer", "minimum": 0}},
            "additionalProperties": false
          },
          "DeliveryState": {"type": "string", "enum": ["pending", "dead", "delivered"]},
          "CallKind": {"type": "string", "enum": ["handle", "event"], "description": "The chatbot API call: conversations/handle or conversations/event."},
          "ChannelList": {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Channel"}}},
            "additionalProperties": false
          },
          "Channel": {
            "type": "object",
            "required": ["id", "name", "provider", "chatbotId", "url", "path", "delivery", "verification", "counts", "activity", "pending", "oldestPendingAgeSeconds"],
            "properties": {
              "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "description": "The chatbot platform's channelId; also the URL path segment."},
              "name": {"type": "string"},
              "provider": {"type": "string"},
              "chatbotId": {"type": "string"},
              "url": {"type": "string", "description": "The URL to register with the provider (server.publicURL, else the listening address)."},
              "path": {"type": "string", "pattern": "^/webhooks/[A-Za-z0-9_-]+$"},
              "delivery": {"type": "string", "enum": ["queued", "direct"]},
              "verification": {"type": "string", "enum": ["enforce", "report"]},
              "counts": {
                "type": "object",
                "description": "Stored calls of the channel by state.",
                "required": ["pending", "delivered", "dead"],
                "properties": {
                  "pending": {"type": "integer", "minimum": 0},
                  "delivered": {"type": "integer", "minimum": 0},
                  "dead": {"type": "integer", "minimum": 0}
                },
                "additionalProperties": false
              },
              "activity": {"$ref": "#/components/schemas/ChannelActivity"},
              "pending": {"type": "integer", "minimum": 0},
              "oldestPendingAgeSeconds": {"type": ["number", "null"], "minimum": 0, "description": "Age of the oldest pending call; null when none is pending."}
            },
            "additionalProperties": false
          },
          "ChannelActivity": {
            "type": "object",
            "description": "What the channel has done since the process started.",
            "required": ["received", "accepted", "duplicates", "refused", "verificationFailures", "other", "forwarded", "retried", "dead"],
            "properties": {
              "received": {"type": "integer", "minimum": 0},
              "accepted": {"type": "integer", "minimum": 0},
              "duplicates": {"type": "integer", "minimum": 0},
              "refused": {"type": "integer", "minimum": 0},
              "verificationFailures": {"type": "integer", "minimum": 0},
              "other": {"type": "integer", "minimum": 0},
              "forwarded": {"type": "integer", "minimum": 0},
              "retried": {"type": "integer", "minimum": 0},
              "dead": {"type": "integer", "minimum": 0}
            },
            "additionalProperties": false
          },
          "RecentWebhookList": {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/RecentWebhook"}}},
            "additionalProperties": false
          },
          "RecentWebhook": {
            "type": "object",
            "description": "One webhook as the gateway made it out: never a header, a signature or a secret.",
            "required": ["sequence", "receivedAt", "method", "subpath", "outcome", "status", "traceId", "calls"],
            "properties": {
              "sequence": {"type": "integer", "minimum": 1},
              "receivedAt": {"type": "string", "format": "date-time"},
              "method": {"type": "string"},
              "subpath": {"type": "string", "description": "The path below /webhooks/{channel} (/gather), empty for the webhook itself."},
              "outcome": {"type": "string", "description": "The outcome label of gangway_webhooks_total (accepted, duplicate, unauthorized, ...)."},
              "status": {"type": "integer", "description": "The status the gateway answered."},
              "traceId": {"type": ["string", "null"]},
              "calls": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["kind", "idempotencyKey", "envelope"],
                  "properties": {
                    "kind": {"$ref": "#/components/schemas/CallKind"},
                    "idempotencyKey": {"type": "string"},
                    "envelope": {"type": ["object", "null"], "description": "The body sent upstream (GET /admin/schema/upstream-envelope.json)."}
                  },
                  "additionalProperties": false
                }
              }
            },
            "additionalProperties": false
          },
          "DeliveryList": {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}}},
            "additionalProperties": false
          },
          "Delivery": {
            "type": "object",
            "description": "One stored call.",
            "required": ["id", "channel", "provider", "kind", "state", "attempts", "lastStatus", "lastError", "idempotencyKey", "createdAt", "queuedAt", "nextAttemptAt", "deliveredAt", "envelope"],
            "properties": {
              "id": {"type": "integer", "format": "int64", "minimum": 1},
              "channel": {"type": "string"},
              "provider": {"type": "string"},
              "kind": {"$ref": "#/components/schemas/CallKind"},
              "state": {"$ref": "#/components/schemas/DeliveryState"},
              "attempts": {"type": "integer", "minimum": 0},
              "lastStatus": {"type": ["integer", "null"], "description": "The chatbot API's last status; null before an answer."},
              "lastError": {"type": ["string", "null"]},
              "idempotencyKey": {"type": "string"},
              "createdAt": {"type": "string", "format": "date-time"},
              "queuedAt": {"type": "string", "format": "date-time", "description": "When it entered the queue (again, after a replay)."},
              "nextAttemptAt": {"type": ["string", "null"], "format": "date-time", "description": "Only while pending."},
              "deliveredAt": {"type": ["string", "null"], "format": "date-time"},
              "envelope": {"type": ["object", "string"], "description": "The body sent upstream (GET /admin/schema/upstream-envelope.json); a string only if it is not JSON."}
            },
            "additionalProperties": false
          },
          "ReloadApplied": {
            "type": "object",
            "required": ["reloaded", "channels", "restartRequired"],
            "properties": {
              "reloaded": {"const": true},
              "channels": {"type": "integer", "minimum": 0},
              "restartRequired": {
                "type": "array",
                "items": {"type": "string", "enum": ["server.host", "server.port", "server.idleTimeoutSeconds", "store.driver", "store.path", "store.url"]},
                "description": "Changed settings that keep their running values until a restart."
              }
            },
            "additionalProperties": false
          },
          "ReloadRefused": {
            "type": "object",
            "required": ["reloaded", "errors"],
            "properties": {
              "reloaded": {"const": false},
              "errors": {"type": "array", "minItems": 1, "items": {"type": "string"}, "description": "Every fault with its place (channels[2].secrets.authToken: missing)."}
            },
            "additionalProperties": false
          },
          "ConversationFound": {
            "type": "object",
            "required": ["channel", "chatbotId", "providerId", "conversation"],
            "properties": {
              "channel": {"type": "string"},
              "chatbotId": {"type": "string"},
              "providerId": {"type": "string"},
              "conversation": {"description": "The chatbot API's answer as it gave it (any JSON; null when it was not JSON)."}
            },
            "additionalProperties": false
          }
        }
        """#
}
