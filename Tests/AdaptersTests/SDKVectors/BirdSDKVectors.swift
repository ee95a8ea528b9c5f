/// Output of Tests/e2e/sdk_vectors_bird.py, over adapters/bird/samples/text.json at 1764064800:
/// a JWT accepted by the messagebird 2.2.0 SDK RequestValidator, a Standard Webhooks signature
/// made by standardwebhooks 1.1.0, and Bird's documented HMAC (no SDK exists for it).
enum BirdSDKVectors {
    static let signingKey = "whsec_Z2FuZ3dheS1iaXJkLXNpZ25pbmcta2V5LTMyYnl0ZXMh"
    static let url = "https://hooks.example.com/webhooks/channel_bird?source=bird"
    static let timestamp = "1764064800"
    static let jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTc2NDA2NDgwMCwiZXhwIjoxNzY0MDY0ODYwLCJqdGkiOiIyZjZiMWU5Yy0wYTRkLTRjOGUtOWI3YS0xZDJjM2U0ZjVhNmIiLCJ1cmxfaGFzaCI6IjhhNWRlODBhMDEzYmY2ZmFhM2IxOTg4ZjMwZWU2YWIzNzJmZmZhZGYzZGFmYTlkMDA3MDRmZjkxMmQ4ZTRmYzAiLCJwYXlsb2FkX2hhc2giOiJkZmI5MTU5ZGViMWRmYzNkZjcxMzIxYzJiMTNhMzU3ZWQwMzYzNzllYjhlODFkNTQzMjg3Y2UzYzUxNzM0NzhhIn0._sonKqoztMHubRyuDnfi3MZyB-NbvVqyT7lO7JvT5sc"
    static let standardWebhooksID = "msg_bird_0001"
    static let standardWebhooksSignature = "v1,XsmjBxqh7z8DVFCxG/QBVgMEXjAjWevLOQM+KgJa7fA="
    static let hmacSignature = "4c8nYx3RWJP6sccQFZBysBFJNJfuTHEfCYZ5D/oNKwc="
}
