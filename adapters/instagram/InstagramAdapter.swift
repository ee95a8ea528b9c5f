import Foundation
import GangwayCore

/// Instagram messaging (Meta Graph webhooks, `object: "instagram"`; some Facebook-Login flows
/// send `page`). See README.md beside this file. Transport is Meta's (`Shared/MetaWebhook.swift`),
/// the mapping is shared with Messenger (`Shared/MetaMessaging.swift`).
enum InstagramAdapter {
    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "instagram"
    static let descriptor = MetaChannelAdapter.descriptor(name: name) { request throws(AdapterError) in
        try MetaMessaging.normalize(request, objects: ["instagram", "page"], provider: name)
    }
}
