import Adapters
import Foundation
import GangwayCore
import GangwayFuzz
import Testing

/// Issue 12, "nothing a stranger sends can fool Gangway": every provider's every sample, signed
/// as the provider signs it with the demo secrets of config/demo-all.yaml, verifies; each forgery
/// of it is refused (401) or, where the provider's scheme cannot tell, the limitation is asserted
/// as it is documented (README, "What each provider's signature protects"). Which check applies to
/// which provider is the table in Forgery/ForgeryScheme.swift.
@Suite struct ForgeryMatrixTests {
    static let all = ForgeryScheme.all
    static let signedTime = ForgeryScheme.all.filter(\.hasSignedTime)
    static let withGETQuery = ForgeryScheme.all.filter { $0.getQuery != nil }
    /// The content-type games only mean something where the body is (partly) covered; where it is not,
    /// ``changedBodyByte(_:)`` asserts that limitation.
    static let bodyCovered = ForgeryScheme.all.filter { if case .no = $0.body { false } else { true } }
    static let now = ForgeryBench.now

    @Test func everyRegisteredProviderHasARow() {
        #expect(Set(AdapterRegistry.standard.names) == Set(Self.all.map(\.provider)))
    }

    @Test(arguments: all) func signedSamplesVerify(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        for sample in b.samples {
            #expect(b.verdict(b.request(sample)) == .passed, "\(sample.file)")
        }
    }

    // MARK: Keys and proof headers

    @Test(arguments: all) func wrongKeyIsRefused(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        for sample in b.samples {
            let forged: InboundRequest
            switch scheme.wrongKey {
            case .otherSecrets:
                var other = b.bench.channel
                other.secrets = other.secrets.mapValues { Secret(String($0.value.reversed())) }
                #expect(other.secrets.values.map(\.value) != b.bench.channel.secrets.values.map(\.value))
                forged = b.request(sample, channel: other)
            case .otherPublicKey(let secret, let hex):
                // Signed with the demo key, checked against the public key of another seed.
                let key = try #require(Signatures.ed25519PublicKey(seed: Array(32...63)))
                var other = b.bench.channel
                other.secrets[secret] = Secret(hex ? Signatures.hex(key) : Signatures.base64(key))
                let strict = b.bench.with(channel: other)
                #expect(Verdict(strict.adapter, b.request(sample)) == .refused(.unauthorized), "\(sample.file)")
                continue
            case .strangerRSA:
                forged = b.request(sample) { BotFrameworkTestKey.sign(&$0, appID: b.bench.channel.secret("appId"), key: BotFrameworkTestKey.stranger) }
            }
            #expect(b.verdict(forged) == .refused(.unauthorized), "\(sample.file)")
        }
    }

    @Test(arguments: all) func eachProofRemovedIsRefused(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        for sample in b.samples {
            let signed = b.request(sample)
            for proof in scheme.proof {
                let forged: InboundRequest
                switch proof {
                case .header(let name):
                    #expect(signed.headers[name] != nil, "\(sample.file): the signed request has no \(name)")
                    forged = signed.with(headers: signed.headers.fields.filter { $0.name != name }.map { ($0.name, $0.value) })
                case .query(let name):
                    #expect(signed.queryValue(name) != nil, "\(sample.file): the signed request has no query parameter \(name)")
                    forged = signed.with(query: signed.query.filter { $0.name != name })
                }
                #expect(b.verdict(forged) == .refused(.unauthorized), "\(sample.file) without \(proof)")
            }
        }
    }

    @Test(arguments: all) func duplicatedProofWithAWrongFirstValueIsRefused(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        for sample in b.samples {
            let signed = b.request(sample)
            for proof in scheme.proof {
                let forged: InboundRequest
                switch proof {
                case .header(let name):
                    let value = try #require(signed.headers[name])
                    forged = signed.with(headers: [(name, value.withMiddleCharacterChanged)] + signed.headers.fields.map { ($0.name, $0.value) })
                case .query(let name):
                    let value = try #require(signed.queryValue(name))
                    forged = signed.with(query: [FormField(name, value.withMiddleCharacterChanged)] + signed.query)
                }
                #expect(b.verdict(forged) == .refused(.unauthorized), "\(sample.file) with a wrong \(proof) first")
            }
        }
    }

    @Test(arguments: all) func headerNameCaseDoesNotMatter(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        for sample in b.samples {
            let signed = b.request(sample)
            let fields = signed.headers.fields
            let upper = signed.with(headers: fields.map { ($0.name.uppercased(), $0.value) })
            let mixed = signed.with(
                headers: fields.map { field in
                    (String(field.name.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.uppercased()) : $0.element }), field.value)
                })
            #expect(b.verdict(upper) == .passed, "\(sample.file) with upper-case header names")
            #expect(b.verdict(mixed) == .passed, "\(sample.file) with mixed-case header names")
        }
    }

    // MARK: Time

    @Test(arguments: all) func staleAndFutureTimes(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        for sample in b.samples {
            // Clock skew inside every window passes.
            for skew in [-30.0, 30] {
                #expect(b.verdict(b.request(sample, signedAt: Self.now.addingTimeInterval(skew))) == .passed, "\(sample.file) \(skew) s")
            }
            // Two hours: past every window (5 minutes; Bot Framework's token lives an hour, plus 5 minutes of skew).
            for skew in [-7200.0, 7200] {
                let verdict = b.verdict(b.request(sample, signedAt: Self.now.addingTimeInterval(skew)))
                if scheme.hasSignedTime {
                    #expect(verdict == .refused(.unauthorized), "\(sample.file) signed \(skew) s from now")
                } else {
                    // The limitation: no signed time, so a two-hour-old request still verifies; dedup stops its replay.
                    #expect(verdict == .passed, "\(sample.file) signed \(skew) s from now (no signed time)")
                }
            }
        }
    }

    @Test(arguments: signedTime) func absurdTimeValuesAreRefused(_ scheme: ForgeryScheme) throws {
        guard case .signed(let place, let sign, let isJSON) = scheme.time else { return }
        let b = try ForgeryBench(scheme)
        let channel = b.bench.channel
        let now = UnixTime.seconds(of: Self.now)
        for sample in b.samples {
            // The re-implemented signer is right: with the clock's own time it passes.
            #expect(b.verdict(b.request(sample) { sign(&$0, channel, String(now)) }) == .passed, "\(sample.file): signer with a valid time")
            for text in HostileValues.timeTexts(now: now) {
                let verdict = b.verdict(b.request(sample) { sign(&$0, channel, text) })
                if isJSON, case .number = ForgeryScheme.jsonTime(text), let value = Double(text), abs(value - Double(now)) < 1 {
                    // `<now>.0` and `<now>e0` are the current time as a NumericDate (RFC 7519): valid.
                    #expect(verdict == .passed, "\(sample.file): \(place) \(text.debugDescription) is a NumericDate of now")
                } else {
                    #expect(verdict == .refused(.unauthorized), "\(sample.file): \(place) \(text.debugDescription)")
                }
            }
        }
    }

    // MARK: Body and URL

    /// Up to 48 positions spread over the body, first and last included.
    static func positions(_ count: Int) -> [Int] {
        guard count > 1 else { return count == 1 ? [0] : [] }
        let n = min(count, 48)
        return Array(Set((0..<n).map { $0 * (count - 1) / (n - 1) })).sorted()
    }

    @Test(arguments: all) func changedBodyByte(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        var passedCount = 0
        for sample in b.samples {
            let signed = b.request(sample)
            for i in Self.positions(signed.body.count) {
                var body = signed.body
                body[i] ^= 0x01
                let forged = signed.with(body: body)
                switch scheme.body {
                case .covered:
                    #expect(b.verdict(forged) == .refused(.unauthorized), "\(sample.file): byte \(i) changed")
                case .partly:
                    #expect(
                        b.isHarmless(forged, authentic: signed),
                        "\(sample.file): byte \(i) changed: \(b.verdict(forged)), calls \(String(describing: b.calls(forged)))")
                case .no:
                    if b.verdict(forged) == .passed { passedCount += 1 }
                }
            }
        }
        if case .no(let why) = scheme.body {
            // The documented limitation (\(why)): changed bodies verify.
            #expect(passedCount > 0, "expected changed bodies to verify: \(why)")
        }
    }

    @Test(arguments: all) func changedURL(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        for sample in b.samples {
            let signed = b.request(sample)
            let url = signed.url
            let variants = [
                url.replacingOccurrences(of: "127.0.0.1:8080", with: "gangway.example:8080"),
                url.replacingOccurrences(of: "/webhooks/\(b.bench.channel.id)", with: "/webhooks/\(b.bench.channel.id)x"),
                url + (url.contains("?") ? "&" : "?") + "extra=1",
                url.replacingOccurrences(of: "http://", with: "https://"),
            ]
            for forgedURL in variants {
                #expect(forgedURL != url)
                let verdict = b.verdict(signed.with(url: forgedURL))
                switch scheme.url {
                case .covered: #expect(verdict == .refused(.unauthorized), "\(sample.file) at \(forgedURL)")
                case .partly: #expect(b.isHarmless(signed.with(url: forgedURL), authentic: signed), "\(sample.file) at \(forgedURL)")
                case .no: #expect(verdict == .passed, "\(sample.file) at \(forgedURL): the URL is not covered")
                }
            }
        }
    }

    @Test(arguments: withGETQuery) func changedGETQueryIsRefused(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        var mapped = 0
        for sample in b.samples {
            let fields = try Self.fields(of: sample)
            let url = b.bench.webhookURL + sample.subpath + "?" + FormField.encode(fields)
            let signed = b.request(sample, method: "GET", url: url, body: [])
            let name = fields.first { $0.name.lowercased() == "from" }?.name ?? fields[0].name
            let forged = signed.with(query: fields.map { $0.name == name ? FormField(name, "+15550000000") : $0 })
            switch scheme.getQuery {
            case .covered?:
                #expect(b.verdict(signed) == .passed, "\(sample.file) as GET")
                if let calls = b.calls(signed), !calls.isEmpty { mapped += 1 }
                #expect(b.verdict(forged) == .refused(.unauthorized), "\(sample.file) as GET with another \(name)")
            case .refused?:
                #expect(!b.adapter.methods.contains("GET"), "a GET is answered 405")
                #expect(b.verdict(signed) == .refused(.unauthorized), "\(sample.file) as GET, signed")
                #expect(b.verdict(forged) == .refused(.unauthorized), "\(sample.file) as GET with another \(name)")
                mapped += 1
            case nil:
                break
            }
        }
        #expect(mapped > 0, "no sample as GET meant anything to the adapter")
    }

    /// A sample's parameters: the form's fields, or a JSON object's scalar members.
    static func fields(of sample: SampleFiles.Sample) throws -> [FormField] {
        if sample.contentType.contains("json") {
            let json = try JSONValue.parse(sample.body)
            return (json.members ?? []).compactMap { name, value in value.idString.map { FormField(name, $0) } }
        }
        return try #require(FormField.parse(sample.body))
    }

    // MARK: Content type

    @Test(arguments: all) func relabeledContentTypeIsHarmless(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        for sample in b.samples {
            let signed = b.request(sample)
            let other = sample.contentType.contains("json") ? "application/x-www-form-urlencoded" : "application/json"
            let forged = signed.with(contentType: other)
            #expect(b.isHarmless(forged, authentic: signed), "\(sample.file) sent as \(other): \(b.verdict(forged))")
        }
    }

    @Test(arguments: bodyCovered) func aSignatureOfNoBodyDoesNotCoverABody(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        for sample in b.samples {
            let other = sample.contentType.contains("json") ? "application/x-www-form-urlencoded" : "application/json"
            for contentType in [sample.contentType, other] {
                // Signed for an empty body (a status callback, a GET), then sent with the sample's body.
                let forged = b.request(sample, contentType: contentType, body: []).with(body: sample.body)
                // 401, or 415 where a content type the signature cannot cover is refused outright.
                #expect(b.verdict(forged).isRefused, "\(sample.file) as \(contentType) under a signature of no body")
            }
        }
    }

    // MARK: Replay

    @Test(arguments: all) func replayHasTheSameIdempotencyKeys(_ scheme: ForgeryScheme) throws {
        let b = try ForgeryBench(scheme)
        var keyed = 0
        for sample in b.samples {
            let signed = b.request(sample)
            // A handshake (AudioCodes' conversation start, Slack's url_verification) is answered, not stored.
            if try b.adapter.handshake(signed) != nil { continue }
            // Inside the window a replay verifies: the store's dedup drops it by its keys.
            #expect(b.verdict(signed) == .passed)
            #expect(b.verdict(signed) == .passed)
            let first = try b.adapter.normalize(signed).map(\.key)
            let again = try b.adapter.normalize(signed).map(\.key)
            #expect(first == again, "\(sample.file)")
            #expect(first.allSatisfy { !$0.isEmpty }, "\(sample.file)")
            if !first.isEmpty { keyed += 1 }
        }
        #expect(keyed > 0, "no sample of \(scheme.label) gave a call")
    }
}
