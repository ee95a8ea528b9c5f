import Foundation
import GangwayCore

/// The call webhooks of the TwiML family (Twilio Voice, Telnyx TeXML, Plivo Voice): form fields
/// that say a call started, what the caller said, or that it ended. One mapper; each provider
/// is a table of its field names and its few differences.
struct FormVoiceFields: Sendable {
    /// `provider.name` of the calls.
    var provider: String
    /// The call's id (`CallSid`, `CallUUID`).
    var callID: String
    /// The caller, first present field wins.
    var from: [String]
    /// The number called, first present field wins.
    var to: [String]
    var speech: String
    var confidence: String
    /// The provider's number of a turn, when it gives one (`SequenceNumber`).
    var sequence: String?
    var endStatuses: Set<String>
    /// A field whose value alone says the call ended (Plivo's `Event=Hangup`).
    var hangupEvent: (field: String, value: String)?
    /// `provider.event` of a turn.
    var turnEvent: String
    /// A field that says the input was keys even with speech beside it (Plivo's `InputType=dtmf`).
    var dtmfInputType: (field: String, value: String)?
    /// A field that marks a status callback that is not the end (`CallbackSource`).
    var statusCallbackMarker: String?
    /// Whether an empty call id or caller is refused like a missing one.
    var refuseEmptyIDs = false
    /// `provider.event` of an end without a status.
    var endEventWithoutStatus = ""
    /// The key of a turn and its message id (Twilio's message id differs from its key).
    var turnIDs: @Sendable (_ callID: String, _ sequence: String?, _ request: InboundRequest) -> (key: String, messageID: String) = {
        let key = VoiceKeys.turn($0, sequence: $1, request: $2)
        return (key, key)
    }
}

enum FormVoiceMapper {
    /// The calls of one call webhook whose fields are `form`.
    static func calls(_ form: [FormField], request: InboundRequest, fields f: FormVoiceFields) throws(AdapterError) -> [InboundCall] {
        guard let callID = form[field: f.callID], !(f.refuseEmptyIDs && callID.isEmpty) else { throw .badRequest("no \(f.callID) in the request") }
        guard let from = f.from.lazy.compactMap({ form[field: $0] }).first, !(f.refuseEmptyIDs && from.isEmpty) else {
            throw .badRequest("no From in the request")
        }
        let callee = f.to.lazy.compactMap { form[field: $0] }.first
        let status = form[field: "CallStatus"] ?? ""
        let provider = { (event: String) in ProviderInfo(name: f.provider, recipientId: callee, event: event, callId: callID) }

        let hungUp = f.hangupEvent.map { form[field: $0.field] == $0.value } ?? false
        if hungUp || f.endStatuses.contains(status) {
            let event = status.isEmpty ? f.endEventWithoutStatus : status
            return [.event(.callEnded, key: VoiceKeys.end(callID), providerId: from, provider: provider(event), callee: callee)]
        }
        let speech = form[field: f.speech]
        let digits = form[field: "Digits"]
        if request.subpath == VoiceRoutes.gather || speech != nil || digits != nil {
            let ids = f.turnIDs(callID, f.sequence.flatMap { form[field: $0] }, request)
            var message = InboundMessage(id: ids.messageID, type: .speech, text: speech ?? "")
            let keysAnyway = f.dtmfInputType.map { form[field: $0.field] == $0.value } ?? false
            if let digits, !digits.isEmpty, keysAnyway || (speech ?? "").isEmpty {
                message.type = .dtmf
                message.text = digits
            } else {
                message.confidence = form[field: f.confidence].flatMap(Double.init)
            }
            return [.handle(key: ids.key, providerId: from, message: message, provider: provider(f.turnEvent), callee: callee)]
        }
        // A status callback that is not the end (initiated, ringing, answered): nothing for the
        // chatbot, and above all not a second call_started forwarded while the caller waits.
        if request.subpath == "/status" || f.statusCallbackMarker.map({ form[field: $0] != nil }) == true { return [] }
        return [
            .event(.callStarted, key: VoiceKeys.start(callID), providerId: from, provider: provider(status.isEmpty ? "ringing" : status), callee: callee)
        ]
    }
}
