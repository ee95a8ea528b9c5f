import Foundation
import GangwayCore

/// Plivo Voice (Plivo XML). See README.md beside this file.
///
/// The application's answer URL brings the call's start to `/webhooks/{channel}`; each `listen`
/// renders a `<GetInput>` whose action is `/webhooks/{channel}/gather`; the application's hangup
/// URL (`/webhooks/{channel}/status`) brings the call's end. Every request carries Plivo's V3
/// signature (``PlivoSignature``).
struct PlivoVoiceAdapter: VoiceChannelAdapter {
    let authToken: String

    init(channel: ChannelConfiguration) {
        authToken = channel.secret(ConfigKeys.authToken)
    }

    var methods: Set<String> { Self.descriptor.methods }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try PlivoSignature.verify(request, authToken: authToken)
    }

    /// Plivo's call fields: `Event=Hangup` also ends a call; `InputType=dtmf` makes keys win over
    /// speech; a turn has no sequence number (its key hashes the authentic bytes).
    static let fields = FormVoiceFields(
        provider: PlivoVoiceAdapter.name, callID: "CallUUID", from: ["From"], to: ["To"], speech: "Speech", confidence: "SpeechConfidenceScore",
        endStatuses: ["completed", "busy", "failed", "timeout", "no-answer", "cancel", "canceled"], hangupEvent: ("Event", "Hangup"),
        turnEvent: "getinput", dtmfInputType: ("InputType", "dtmf"), refuseEmptyIDs: true, endEventWithoutStatus: "hangup")

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        try FormVoiceMapper.calls(try PlivoSignature.parameters(request), request: request, fields: Self.fields)
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse {
        .xml("<Response/>")
    }

    /// Plivo XML, worded as Plivo's own builder (`plivo.plivoxml`) writes it. A `<GetInput>` that
    /// hears nothing goes on with the next element, so a `<Redirect>` to the same URL follows:
    /// silence comes back as an empty turn instead of ending the call.
    func render(_ actions: [VoiceAction], for request: InboundRequest, callbackURL: String) -> AdapterResponse {
        var xml = "<Response>"
        for action in actions {
            switch action {
            case .say(let text, let language):
                xml += "<Speak\(language.map { " language=\"\(XML.escape($0))\"" } ?? "")>\(XML.escape(text))</Speak>"
            case .play(let url):
                xml += "<Play>\(XML.escape(url))</Play>"
            case .listen(let timeout, let language, let hints):
                let url = XML.escape(callbackURL)
                var attributes = " action=\"\(url)\" method=\"POST\" inputType=\"speech dtmf\""
                // Plivo's whole window for input (5 to 60 s); its default (15) when the chatbot gives none.
                if let timeout { attributes += " executionTimeout=\"\(SafeNumbers.int(timeout, clampedTo: 5...60) ?? 5)\"" }
                if !hints.isEmpty { attributes += " hints=\"\(XML.escape(hints.joined(separator: ",")))\"" }
                if let language { attributes += " language=\"\(XML.escape(language))\"" }
                xml += "<GetInput\(attributes)/><Redirect method=\"POST\">\(url)</Redirect>"
            case .transfer(let to):
                xml += "<Dial><Number>\(XML.escape(to))</Number></Dial>"
            case .hangup:
                xml += "<Hangup/>"
            }
        }
        return .xml(xml + "</Response>")
    }
}

extension PlivoVoiceAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let authToken: ConfigKey = "authToken"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "plivo-voice"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.authToken], isVoice: true, methods: ["GET", "POST"], subpaths: ["", VoiceRoutes.gather, "/status"],
        signatureCoversURL: true, makeAdapter: { PlivoVoiceAdapter(channel: $0) },
        signSample: { request, channel in PlivoSignature.sign(&request, authToken: channel.secret(ConfigKeys.authToken)) })
}
