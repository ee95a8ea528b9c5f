import Foundation
import GangwayCore

/// Twilio Programmable Voice. See README.md beside this file.
///
/// The number's "A call comes in" webhook posts the call's start to `/webhooks/{channel}`; each
/// `listen` renders a `<Gather>` whose action is `/webhooks/{channel}/gather`; the call's status
/// callback (`/webhooks/{channel}/status`) brings its end.
struct TwilioVoiceAdapter: VoiceChannelAdapter {
    let authToken: String

    init(channel: ChannelConfiguration) {
        authToken = channel.secret(ConfigKeys.authToken)
    }

    var methods: Set<String> { Self.descriptor.methods }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try TwilioSignature.verify(request, authToken: authToken)
    }

    /// Twilio's call fields. A turn has no sequence number: its key hashes the authentic bytes,
    /// and its message id is the call and that hash.
    static let fields = FormVoiceFields(
        provider: TwilioVoiceAdapter.name, callID: "CallSid", from: ["From", "Caller"], to: ["To", "Called"], speech: "SpeechResult",
        confidence: "Confidence", endStatuses: ["completed", "busy", "failed", "no-answer", "canceled"], turnEvent: "gather",
        statusCallbackMarker: "CallbackSource",
        turnIDs: { callSid, _, request in
            let turn = VoiceKeys.turnID(request: request)
            return ("\(callSid):turn:\(turn)", "\(callSid):\(turn)")
        })

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        // Twilio sends GET webhooks with the parameters in the query (covered by the signed URL).
        let form = request.method == "GET" ? request.query : try request.formBody()
        return try FormVoiceMapper.calls(form, request: request, fields: Self.fields)
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse {
        TwiMLDocument.empty
    }

    func render(_ actions: [VoiceAction], for request: InboundRequest, callbackURL: String) -> AdapterResponse {
        TwiMLDocument.render(actions) { timeout, language, hints in
            var attributes = " input=\"speech dtmf\" action=\"\(XML.escape(callbackURL))\" method=\"POST\" actionOnEmptyResult=\"true\""
            attributes += " timeout=\"\(SafeNumbers.int(timeout ?? 5, clampedTo: 1...3600) ?? 5)\" speechTimeout=\"auto\""
            if let language { attributes += " language=\"\(XML.escape(language))\"" }
            if !hints.isEmpty { attributes += " hints=\"\(XML.escape(hints.joined(separator: ",")))\"" }
            return "<Gather\(attributes)/>"
        }
    }
}

extension TwilioVoiceAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let authToken: ConfigKey = "authToken"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "twilio-voice"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.authToken], isVoice: true, methods: ["GET", "POST"], subpaths: ["", VoiceRoutes.gather, "/status"],
        signatureCoversURL: true, makeAdapter: { TwilioVoiceAdapter(channel: $0) },
        signSample: { request, channel in TwilioSignature.sign(&request, authToken: channel.secret(ConfigKeys.authToken)) })
}
