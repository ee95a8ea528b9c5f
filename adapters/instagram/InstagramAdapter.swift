import Foundation
import GangwayCore

/// Instagram messaging (Meta Graph webhooks, `object: "instagram"`; some Facebook-Login flows
/// send `page`). See README.md beside this file. Transport is Meta's (`Shared/MetaWebhook.swift`),
/// the mapping is shared with Messenger (`Shared/MetaMessaging.swift`).
enum InstagramAdapter {
    static let descriptor = MetaChannelAdapter.descriptor(name: "instagram") { request throws(AdapterError) in
        try MetaMessaging.normalize(request, objects: ["instagram", "page"], provider: "instagram")
    }
}
