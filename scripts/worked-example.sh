#!/usr/bin/env bash
# ARCHITECTURE.md's "Adding a provider", followed by a machine: in a temporary copy of this
# repository (its tracked files as they are now), add a provider `example` by exactly the steps
# the page lists (its folder, one registry line, an example and a demo channel, the README rows,
# its test suite, its forgery-matrix row), build it, run the tests that check a provider is
# complete, and send its signed sample through a running gateway to the stand-in chatbot API.
# Nothing else is touched; the copy is removed at the end. Takes a cold debug build (minutes).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'if [ -n "${gw:-}" ]; then kill "$gw" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
copy="$work/gangway"
mkdir -p "$copy"
(cd "$root" && git ls-files -z | xargs -0 tar -cf - ) | tar -xf - -C "$copy"
cd "$copy"
say() { printf '== worked example: %s\n' "$1"; }

say "1. the folder: adapter, README, samples"
mkdir -p adapters/example/samples
cat > adapters/example/ExampleAdapter.swift <<'SWIFT'
import Foundation
import GangwayCore

/// The worked example of ARCHITECTURE.md: JSON messages `{"id", "from", "text"}`, signed with an
/// HMAC-SHA256 of the raw body, hex, in `X-Example-Signature`.
struct ExampleAdapter: ChannelAdapter {
    static let signatureHeader = "x-example-signature"
    let key: HMACKey

    init(channel: ChannelConfiguration) {
        key = HMACKey(channel.secret(ConfigKeys.secret))
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": Self.signatureHeader, "bodyBytes": String(request.body.count)]
        guard let given = request.headers[Self.signatureHeader], let bytes = Signatures.fromHex(given) else {
            throw .unauthorized("missing or malformed X-Example-Signature", diagnosis: diagnosis)
        }
        guard Signatures.constantTimeEquals(bytes, Signatures.hmac(.sha256, key: key, message: request.body)) else {
            throw .unauthorized("X-Example-Signature does not match (wrong secret or altered body)", diagnosis: diagnosis)
        }
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard let id = json["id"]?.string, let from = json["from"]?.string else { throw .badRequest("id and from are required") }
        let message = InboundMessage(id: id, type: .text, text: json["text"]?.string ?? "")
        return [.handle(key: id, providerId: from, message: message, provider: ProviderInfo(name: Self.name))]
    }
}

extension ExampleAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let secret: ConfigKey = "secret"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "example"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.secret],
        makeAdapter: { ExampleAdapter(channel: $0) },
        signSample: { request, channel in
            let mac = Signatures.hmac(.sha256, key: channel.secret(ConfigKeys.secret), message: request.body)
            request.headers.append(("X-Example-Signature", Signatures.hex(mac)))
        })
}
SWIFT
cat > adapters/example/README.md <<'MD'
# example

The worked example of ARCHITECTURE.md. A message `{"id": "...", "from": "...", "text": "..."}` is a
`handle` with `providerId` = `from` and the key `<channelId>:<id>`. `X-Example-Signature` is the hex
HMAC-SHA256 of the raw body with the secret `secret`: it covers the body, not the URL or a time.

## Conversation and idempotency key

In DESIGN.md's terms: `providerId` is the body's `from`; the idempotency key is `<channelId>:`
followed by the body's `id`.
MD
printf '{"id": "ex-1", "from": "+491701234567", "text": "Hello from the worked example"}\n' > adapters/example/samples/text.json

say "2. one registry line"
sed -i 's/^        AudioCodesAdapter.descriptor,$/        AudioCodesAdapter.descriptor,\n        ExampleAdapter.descriptor,/' adapters/AdapterRegistry.swift
grep -q "ExampleAdapter.descriptor" adapters/AdapterRegistry.swift

say "3. example channel, demo channel, README rows, test suite, forgery-matrix row"
cat > config/channels/example.yaml <<'YAML'
# The worked example provider: paste under `channels:`. See adapters/example/README.md.
- id: channel_example
  name: Example
  provider: example
  chatbotId: bot_abc123xyz
  secrets:
    secret: ${EXAMPLE_SECRET}
YAML
cat >> config/demo-all.yaml <<'YAML'
  - id: demo_example
    name: Example
    provider: example
    chatbotId: bot_abc123xyz
    secrets:
      secret: demo-example-secret
YAML
python3 - <<'PY'
import re
p = "README.md"
s = open(p).read()
row = "| `audiocodes` | AudioCodes VoiceAI Connect (Bot API) |"
i = s.index(row)
j = s.index("\n", i) + 1
s = s[:j] + "| `example` | the worked example | [adapters/example](adapters/example/README.md) | [config/channels/example.yaml](config/channels/example.yaml) |\n" + s[j:]
sig = "| `audiocodes` | ✘ | ✘ | ✘ |"
i = s.index(sig)
j = s.index("\n", i) + 1
s = s[:j] + "| `example` | ✔ | ✘ | ✘ | `id` | HMAC of the raw body |\n" + s[j:]
open(p, "w").write(s)
p = "Tests/AdaptersTests/Forgery/ForgeryScheme.swift"
s = open(p).read()
anchor = "    static let all: [ForgeryScheme] = [\n"
s = s.replace(anchor, anchor + """        ForgeryScheme(
            label: "example", provider: "example", proof: [.header("x-example-signature")], body: .covered,
            url: .no("HMAC of the body only"), time: .none, replayKey: "id"),
""", 1)
open(p, "w").write(s)
PY
cat > Tests/AdaptersTests/ExampleAdapterTests.swift <<'SWIFT'
import Foundation
import GangwayCore
import Testing

@Suite struct ExampleAdapterTests {
    let ch = channel("example", secrets: ["secret": "s3cret-example"])

    @Test func aSignedMessageIsAHandle() throws {
        let a = try adapter(for: ch)
        let request = try signed(ch, body: try sample("example", "text.json"), contentType: "application/json")
        try a.verify(request)
        let calls = try a.normalize(request)
        #expect(calls.map(\.key) == ["ex-1"])
        #expect(calls.first?.providerId == "+491701234567")
        var tampered = request
        tampered.body[tampered.body.count / 2] ^= 1
        expectUnauthorized { try a.verify(tampered) }
    }
}
SWIFT

say "4. build (cold, in the copy) and the tests that say a provider is complete"
swift build --build-tests 2>&1 | grep -E "error|warning: unhandled|Build complete" || true
test -x .build/debug/gangway
swift test --skip-build --filter 'ProviderFolderTests|ExampleAdapterTests|ForgeryMatrixTests|FuzzTests.everyProviderHasATarget|ChannelExampleTests' 2>&1 \
  | grep -E "✘|Test run" | tee "$work/tests.log"
grep -q "passed" "$work/tests.log" && ! grep -q "✘" "$work/tests.log"

say "5. check-config, serve --demo, simulate the example's signed sample"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s/port: 8080/port: $port/" -e "s#data/demo-all.sqlite#$work/demo.sqlite#" config/demo-all.yaml > "$work/demo-all.yaml"
.build/debug/gangway check-config --config "$work/demo-all.yaml" | grep -E "demo_example	example	queued	enforce	/webhooks/demo_example"
# The stand-in chatbot API of --demo listens on 8090: free it for this run if a demo is up.
.build/debug/gangway serve --demo --config "$work/demo-all.yaml" > "$work/serve.log" 2>&1 &
gw=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
.build/debug/gangway simulate --config "$work/demo-all.yaml" --channel demo_example | tee "$work/simulate.log"
grep -q "gateway answered 200" "$work/simulate.log"
for _ in $(seq 1 50); do grep -q "handle channel=demo_example" "$work/serve.log" && break; sleep 0.1; done
grep "handle channel=demo_example" "$work/serve.log"
grep -q 'key=demo_example:ex-1' "$work/serve.log"
say "done: the provider is its folder plus one registry line (and its docs, channels and tests)"
