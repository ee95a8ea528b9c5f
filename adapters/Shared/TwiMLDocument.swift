import Foundation
import GangwayCore

/// The XML reply of Twilio's TwiML and Telnyx's TeXML, whose verbs are the same (`<Say>`,
/// `<Play>`, `<Gather>`, `<Dial>`, `<Hangup/>`); each provider only words a `listen` its own way.
enum TwiMLDocument {
    /// The empty document: "nothing to do" (the answer to a status callback).
    static let empty = AdapterResponse.xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")

    /// - Parameters:
    ///   - actions: what the chatbot wants the caller to hear and do.
    ///   - listen: the provider's XML for a `listen` (a `<Gather>`, escaped).
    static func render(
        _ actions: [VoiceAction], listen: (_ timeoutSeconds: Double?, _ language: String?, _ hints: [String]) -> String
    ) -> AdapterResponse {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"
        for action in actions {
            switch action {
            case .say(let text, let language):
                xml += "<Say\(language.map { " language=\"\(XML.escape($0))\"" } ?? "")>\(XML.escape(text))</Say>"
            case .play(let url):
                xml += "<Play>\(XML.escape(url))</Play>"
            case .listen(let timeout, let language, let hints):
                xml += listen(timeout, language, hints)
            case .transfer(let to):
                xml += "<Dial>\(XML.escape(to))</Dial>"
            case .hangup:
                xml += "<Hangup/>"
            }
        }
        return .xml(xml + "</Response>")
    }
}
