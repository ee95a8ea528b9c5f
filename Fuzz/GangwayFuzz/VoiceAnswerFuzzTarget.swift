import Adapters
import Foundation
import GangwayCore

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The fuzz target `voice-answer`: bytes are the chatbot API's answer to a voice turn. They go
/// through ``VoiceAction/parse(_:)`` (nil means the caller hears the fallback) and every voice
/// adapter renders the actions for its own `start` sample. Invariants besides not trapping: each
/// reply is well-formed (XML or JSON), and every timeout it writes is a whole number.
public enum VoiceAnswerFuzzTarget {
    /// Answers to start from: every action, and the numbers and strings that broke conversions before.
    static let seeds: [String] = [
        #"{"actions":[{"say":"Hallo, wie kann ich helfen?","language":"de-DE"},{"listen":{"timeoutSeconds":5,"language":"de-DE","hints":["Termin","Preis"]}}]}"#,
        #"{"actions":[{"play":"https://example.com/a.mp3"},{"transfer":"+4930123456"},{"hangup":true}]}"#,
        #"{"actions":[{"listen":{"timeoutSeconds":1e300}}]}"#,
        #"{"actions":[{"listen":{"timeoutSeconds":"nan"}}]}"#,
        #"{"actions":[{"listen":{"timeoutSeconds":-1}},{"say":"<Hangup/>&amp;]]>\"'"}]}"#,
        #"{"actions":[{"listen":{"timeoutSeconds":3600.5,"hints":[1,null,"\ud83d\ude00"]}},{"transfer":"sip:a@b"}]}"#,
        #"{"actions":[]}"#, "", "null", #"{"actions":{"say":"x"}}"#,
    ]

    /// The voice providers' benches: each renders for its own `start` sample.
    public static func make(benches: [ProviderBench]) -> FuzzTarget {
        let voices: [(String, any VoiceChannelAdapter, InboundRequest, String)] = benches.compactMap { bench in
            guard let voice = bench.adapter as? any VoiceChannelAdapter,
                let start = bench.samples.first(where: { $0.name == "start" }) ?? bench.samples.first
            else { return nil }
            return (bench.name, voice, bench.signed(start, now: ProviderFuzzTarget.signedAt), bench.webhookURL + "/gather")
        }
        let huge =
            "{\"actions\":[{\"say\":\"" + String(repeating: "ä<", count: 50_000) + "\"},{\"listen\":{\"language\":\""
            + String(repeating: "\\\"", count: 1000) + "\"}}]}"
        return FuzzTarget(name: "voice-answer", seeds: (seeds + [huge]).map { Array($0.utf8) }) { input in
            let actions = VoiceAction.parse(input) ?? VoiceAction.fallback(nil)
            for (name, voice, request, callback) in voices {
                let reply = voice.render(actions, for: request, callbackURL: callback)
                if let finding = check(reply, provider: name) { return finding }
            }
            return nil
        }
    }

    static func check(_ reply: AdapterResponse, provider: String) -> FuzzFinding? {
        guard reply.status == 200 else { return FuzzFinding("voice-answer: \(provider) rendered status \(reply.status)") }
        if reply.contentType == "application/json" {
            guard let json = try? JSONValue.parse(reply.body) else {
                return FuzzFinding("voice-answer: \(provider) rendered JSON that does not parse: \(reply.bodyText.prefix(300))")
            }
            for key in ["startTimeout", "userNoInputTimeoutMS"] {
                for value in values(of: key, in: json) where value.int64 == nil {
                    return FuzzFinding("voice-answer: \(provider) wrote \(key) \(value) (not a whole number)")
                }
            }
            return nil
        }
        #if canImport(FoundationXML) || canImport(Darwin)
        let delegate = TimeoutCollector()
        let parser = XMLParser(data: Data(reply.body))
        parser.delegate = delegate
        guard parser.parse() else {
            let text = reply.bodyText
            let column = max(0, parser.columnNumber - 1)
            let start = text.index(text.startIndex, offsetBy: max(0, column - 120), limitedBy: text.endIndex) ?? text.startIndex
            let end = text.index(start, offsetBy: 240, limitedBy: text.endIndex) ?? text.endIndex
            return FuzzFinding(
                "voice-answer: \(provider) rendered XML that does not parse (\(parser.parserError.map { "\($0)" } ?? "?") at column \(parser.columnNumber)): …\(text[start..<end])…"
            )
        }
        for value in delegate.timeouts where Int(value) == nil {
            return FuzzFinding("voice-answer: \(provider) wrote a timeout \(value) (not a whole number)")
        }
        #endif
        return nil
    }

    private static func values(of key: String, in json: JSONValue) -> [JSONValue] {
        switch json {
        case .object(let members): members.flatMap { k, v in (k == key ? [v] : []) + values(of: key, in: v) }
        case .array(let items): items.flatMap { values(of: key, in: $0) }
        default: []
        }
    }
}

#if canImport(FoundationXML) || canImport(Darwin)
/// Collects the `timeout` and `executionTimeout` attributes of an XML reply.
private final class TimeoutCollector: NSObject, XMLParserDelegate {
    var timeouts: [String] = []

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        for key in ["timeout", "executionTimeout"] { if let v = attributes[key] { timeouts.append(v) } }
    }
}
#endif
