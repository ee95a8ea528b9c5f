import Foundation
import GangwayCore

/// Telnyx TeXML (voice). See README.md beside this file.
///
/// The TeXML application's voice URL brings the call's start to `/webhooks/{channel}`; each
/// `listen` renders a `<Gather>` whose action is `/webhooks/{channel}/gather`; the application's
/// status callback (`/webhooks/{channel}/status`) brings the call's end. Every request is signed
/// with Ed25519 like Telnyx's API v2 webhooks (``TelnyxSignature``).
struct TelnyxVoiceAdapter: VoiceChannelAdapter {
    let publicKey: String
    let tolerance: Double

    init(channel: ChannelConfiguration) {
        publicKey = channel.secret(ConfigKeys.publicKey)
        tolerance = channel.replayToleranceSeconds
    }

    /// POST only: Telnyx's signature covers the body, not the query that a GET carries its
    /// fields in (``TelnyxSignature``), so a GET is answered 405.
    var methods: Set<String> { Self.descriptor.methods }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try TelnyxSignature.verify(request, publicKey: publicKey, tolerance: tolerance)
    }

    /// TeXML's call fields (Twilio's names); a turn's key is its `SequenceNumber`.
    static let fields = FormVoiceFields(
        provider: TelnyxVoiceAdapter.name, callID: "CallSid", from: ["From"], to: ["To"], speech: "SpeechResult", confidence: "Confidence",
        sequence: "SequenceNumber", endStatuses: ["completed", "busy", "failed", "no-answer", "canceled"], turnEvent: "gather",
        statusCallbackMarker: "CallbackSource")

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        // The signed body only, never the query (a TeXML application set to GET puts its
        // parameters there, unsigned; such requests are refused before this).
        try FormVoiceMapper.calls(try request.formBody(), request: request, fields: Self.fields)
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse {
        TwiMLDocument.empty
    }

    /// TeXML. `<Gather>` posts with the TeXML application's method, so it carries none; when
    /// nothing is heard, Telnyx goes on with the next verb, so a `<Redirect>` to the same URL
    /// follows: silence comes back as an empty turn instead of ending the call.
    func render(_ actions: [VoiceAction], for request: InboundRequest, callbackURL: String) -> AdapterResponse {
        TwiMLDocument.render(actions) { timeout, language, hints in
            let url = XML.escape(callbackURL)
            var attributes = " input=\"dtmf speech\" action=\"\(url)\" timeout=\"\(SafeNumbers.int(timeout ?? 5, clampedTo: 1...3600) ?? 5)\""
            if let language { attributes += " language=\"\(XML.escape(language))\"" }
            if !hints.isEmpty { attributes += " hints=\"\(XML.escape(hints.joined(separator: ",")))\"" }
            return "<Gather\(attributes)/><Redirect method=\"POST\">\(url)</Redirect>"
        }
    }
}

extension TelnyxVoiceAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let publicKey: ConfigKey = "publicKey"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "telnyx-voice"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.publicKey], settings: [.toleranceSeconds], isVoice: true, methods: ["POST"],
        subpaths: ["", VoiceRoutes.gather, "/status"],
        makeAdapter: { TelnyxVoiceAdapter(channel: $0) },
        signSample: { request, _ in TelnyxSignature.sign(&request) })
}
