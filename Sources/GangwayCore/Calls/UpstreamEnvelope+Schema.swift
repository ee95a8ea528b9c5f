/// The JSON Schema (2020-12) of the bodies Gangway sends to `handle` and `event` (DESIGN.md,
/// section 3), served at `GET /admin/schema/upstream-envelope.json`. The end-to-end tests check
/// every call they forward against it.
extension UpstreamEnvelope {
    public static let messageTypes = [
        "text", "image", "audio", "video", "document", "sticker", "location", "contact", "postback", "speech", "dtmf", "unsupported",
    ]
    public static let eventNames = [
        "user_seen_message", "message_delivered", "message_failed", "user_typing", "message_reaction", "conversation_started",
        "user_unsubscribed", "call_started", "call_ended",
    ]

    public static let jsonSchema: String = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://gangway.example/schema/upstream-envelope.json",
          "title": "Gangway upstream envelope",
          "description": "The body of POST {baseURL}/v1/chatbots/{chatbotId}/conversations/handle and .../event. The first six members are the chatbot API's own; message, contact and provider are Gangway's extension. Absent members are omitted, never null.",
          "type": "object",
          "required": ["chatbotId", "channelId", "channelName", "providerId", "provider"],
          "additionalProperties": false,
          "properties": {
            "chatbotId": { "type": "string", "minLength": 1 },
            "channelId": { "type": "string", "minLength": 1 },
            "channelName": { "type": "string" },
            "providerId": { "type": "string", "description": "the provider's id of the person on the other side" },
            "callee": { "type": "string", "description": "the number or account called (voice), when the provider says" },
            "async": { "type": "boolean" },
            "event": { "enum": \(list(eventNames)), "description": "present in event calls only" },
            "message": { "$ref": "#/$defs/message" },
            "contact": {
              "type": "object", "additionalProperties": false,
              "properties": { "name": { "type": "string" }, "username": { "type": "string" }, "locale": { "type": "string" }, "phone": { "type": "string" } }
            },
            "provider": {
              "type": "object", "required": ["name"], "additionalProperties": false,
              "properties": {
                "name": { "type": "string", "description": "the provider's config name (whatsapp, twilio-voice, ...)" },
                "recipientId": { "type": "string" }, "event": { "type": "string", "description": "the provider's own name of what happened" },
                "callId": { "type": "string" }, "replyToken": { "type": "string" }
              }
            }
          },
          "$defs": {
            "message": {
              "type": "object", "required": ["type"], "additionalProperties": false,
              "properties": {
                "id": { "type": "string" },
                "type": { "enum": \(list(messageTypes)) },
                "text": { "type": "string" },
                "timestamp": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}" },
                "media": {
                  "type": "array",
                  "items": {
                    "type": "object", "additionalProperties": false,
                    "properties": {
                      "id": { "type": "string" }, "url": { "type": "string" }, "mimeType": { "type": "string" },
                      "caption": { "type": "string" }, "filename": { "type": "string" }
                    }
                  }
                },
                "location": {
                  "type": "object", "required": ["latitude", "longitude"], "additionalProperties": false,
                  "properties": {
                    "latitude": { "type": "number", "minimum": -90, "maximum": 90 },
                    "longitude": { "type": "number", "minimum": -180, "maximum": 180 },
                    "name": { "type": "string" }, "address": { "type": "string" }
                  }
                },
                "contacts": {
                  "type": "array",
                  "items": {
                    "type": "object", "additionalProperties": false,
                    "properties": { "name": { "type": "string" }, "phones": { "type": "array", "items": { "type": "string" } } }
                  }
                },
                "payload": { "type": "string" },
                "replyTo": { "type": "string" },
                "confidence": { "type": "number", "minimum": 0, "maximum": 1 }
              }
            }
          }
        }
        """

    private static func list(_ names: [String]) -> String {
        "[" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    }
}
