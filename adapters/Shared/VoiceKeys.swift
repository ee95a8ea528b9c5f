import Foundation
import GangwayCore

/// The keys of a voice call's calls (DESIGN.md, "Who the conversation is with"): the call's id
/// plus what happened, `:start`, `:turn:<n>`, `:end`.
enum VoiceKeys {
    static func start(_ callId: String) -> String { "\(callId):start" }
    static func end(_ callId: String) -> String { "\(callId):end" }

    /// A turn: the provider's sequence number when it gives one, else a hash of the authentic
    /// bytes (the body, or the URL of a GET), so that the provider's retry of a turn has the same key.
    static func turn(_ callId: String, sequence: String? = nil, request: InboundRequest) -> String {
        "\(callId):turn:\(turnID(sequence: sequence, request: request))"
    }

    /// A turn the provider numbered itself (AudioCodes' activity id).
    static func turn(_ callId: String, sequence: String) -> String { "\(callId):turn:\(sequence)" }

    static func turnID(sequence: String? = nil, request: InboundRequest) -> String {
        if let sequence, !sequence.isEmpty { return sequence }
        return Signatures.hex(Signatures.sha256(request.body.isEmpty ? Array(request.url.utf8) : request.body).prefix(12))
    }
}
