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
        authToken = channel.secret("authToken")
    }

    var methods: Set<String> { ["GET", "POST"] }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try TwilioSignature.verify(request, authToken: authToken)
    }

    static let endStatuses: Set<String> = ["completed", "busy", "failed", "no-answer", "canceled"]

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        // Twilio sends GET webhooks with the parameters in the query.
        let form = request.method == "GET" ? request.query : try request.formBody()
        guard let callSid = form[field: "CallSid"] else { throw .badRequest("no CallSid in the request") }
        guard let from = form[field: "From"] ?? form[field: "Caller"] else { throw .badRequest("no From in the request") }
        let callee = form[field: "To"] ?? form[field: "Called"]
        let status = form[field: "CallStatus"] ?? ""
        let provider = { (event: String) in ProviderInfo(name: "twilio-voice", recipientId: callee, event: event, callId: callSid) }

        if Self.endStatuses.contains(status) {
            return [.event(.callEnded, key: VoiceKeys.end(callSid), providerId: from, provider: provider(status), callee: callee)]
        }
        let speech = form[field: "SpeechResult"]
        let digits = form[field: "Digits"]
        if request.subpath == VoiceRoutes.gather || speech != nil || digits != nil {
            // A turn: Twilio gives it no sequence number, so the key hashes the authentic bytes.
            let turn = VoiceKeys.turnID(request: request)
            var message = InboundMessage(id: "\(callSid):\(turn)", type: .speech, text: speech ?? "")
            if let digits, !digits.isEmpty, (speech ?? "").isEmpty {
                message.type = .dtmf
                message.text = digits
            } else {
                message.confidence = form[field: "Confidence"].flatMap(Double.init)
            }
            return [.handle(key: "\(callSid):turn:\(turn)", providerId: from, message: message, provider: provider("gather"), callee: callee)]
        }
        // A status callback that is not the end (initiated, ringing, answered): nothing for the chatbot,
        // and above all not a second call_started forwarded while the caller waits.
        if request.subpath == "/status" || form[field: "CallbackSource"] != nil { return [] }
        return [.event(.callStarted, key: VoiceKeys.start(callSid), providerId: from, provider: provider(status.isEmpty ? "ringing" : status), callee: callee)]
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
    static let descriptor = ProviderDescriptor(
        name: "twilio-voice", requiredSecrets: ["authToken"], isVoice: true,
        makeAdapter: { TwilioVoiceAdapter(channel: $0) },
        signSample: { request, channel in TwilioSignature.sign(&request, authToken: channel.secret("authToken")) })
}
