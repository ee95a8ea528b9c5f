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
        publicKey = channel.secret("publicKey")
        tolerance = channel.replayToleranceSeconds
    }

    /// POST only: Telnyx's signature covers the body, not the query that a GET carries its
    /// fields in (``TelnyxSignature``), so a GET is answered 405.
    var methods: Set<String> { ["POST"] }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try TelnyxSignature.verify(request, publicKey: publicKey, tolerance: tolerance)
    }

    static let endStatuses: Set<String> = ["completed", "busy", "failed", "no-answer", "canceled"]

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        // The signed body only, never the query (a TeXML application set to GET puts its
        // parameters there, unsigned; such requests are refused before this).
        let form = try request.formBody()
        guard let callSid = form[field: "CallSid"] else { throw .badRequest("no CallSid in the request") }
        guard let from = form[field: "From"] else { throw .badRequest("no From in the request") }
        let callee = form[field: "To"]
        let status = form[field: "CallStatus"] ?? ""
        let provider = { (event: String) in ProviderInfo(name: "telnyx-voice", recipientId: callee, event: event, callId: callSid) }

        if Self.endStatuses.contains(status) {
            return [.event(.callEnded, key: VoiceKeys.end(callSid), providerId: from, provider: provider(status), callee: callee)]
        }
        let speech = form[field: "SpeechResult"]
        let digits = form[field: "Digits"]
        if request.subpath == VoiceRoutes.gather || speech != nil || digits != nil {
            let key = VoiceKeys.turn(callSid, sequence: form[field: "SequenceNumber"], request: request)
            var message = InboundMessage(id: key, type: .speech, text: speech ?? "")
            if let digits, !digits.isEmpty, (speech ?? "").isEmpty {
                message.type = .dtmf
                message.text = digits
            } else {
                message.confidence = form[field: "Confidence"].flatMap(Double.init)
            }
            return [.handle(key: key, providerId: from, message: message, provider: provider("gather"), callee: callee)]
        }
        // A status callback that is not the end (initiated, ringing, answered): nothing for the chatbot.
        if request.subpath == "/status" || form[field: "CallbackSource"] != nil { return [] }
        return [.event(.callStarted, key: VoiceKeys.start(callSid), providerId: from, provider: provider(status.isEmpty ? "ringing" : status), callee: callee)]
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
    static let descriptor = ProviderDescriptor(
        name: "telnyx-voice", requiredSecrets: ["publicKey"], settings: ["toleranceSeconds"], isVoice: true,
        makeAdapter: { TelnyxVoiceAdapter(channel: $0) },
        signSample: { request, _ in TelnyxSignature.sign(&request) })
}
