import Foundation
import GangwayCore

/// Facebook Messenger (Meta Graph webhooks, `object: "page"`). See README.md beside this file.
/// Transport (handshake, signature, answer) is Meta's, in `Shared/MetaWebhook.swift`; the
/// mapping of `entry[].messaging[]` is shared with Instagram in `Shared/MetaMessaging.swift`.
enum MessengerAdapter {
    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "messenger"
    static let descriptor = MetaChannelAdapter.descriptor(name: name) { request throws(AdapterError) in
        try MetaMessaging.normalize(request, objects: ["page"], provider: name)
    }
}
