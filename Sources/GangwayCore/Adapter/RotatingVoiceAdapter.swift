import Foundation

/// ``RotatingAdapter`` for voice providers: it also renders replies (with the first variant;
/// rendering uses no secret).
struct RotatingVoiceAdapter: VoiceChannelAdapter {
    let rotating: RotatingAdapter
    let renderer: any VoiceChannelAdapter

    var methods: Set<String> { rotating.methods }
    func memoryKeys(for request: InboundRequest) -> [String] { rotating.memoryKeys(for: request) }
    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? { try rotating.handshake(request) }
    func verify(_ request: InboundRequest) throws(AdapterError) { try rotating.verify(request) }
    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] { try rotating.normalize(request) }
    func acknowledgement(for request: InboundRequest) -> AdapterResponse { rotating.acknowledgement(for: request) }
    func render(_ actions: [VoiceAction], for request: InboundRequest, callbackURL: String) -> AdapterResponse {
        renderer.render(actions, for: request, callbackURL: callbackURL)
    }
}
