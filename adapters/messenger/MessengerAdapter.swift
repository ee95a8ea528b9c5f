import Foundation
import GangwayCore

/// Facebook Messenger (Meta Graph webhooks, `object: "page"`). See README.md beside this file.
/// Transport (handshake, signature, answer) is Meta's, in `Shared/MetaWebhook.swift`; the
/// mapping of `entry[].messaging[]` is shared with Instagram in `Shared/MetaMessaging.swift`.
enum MessengerAdapter {
    static let descriptor = MetaChannelAdapter.descriptor(name: "messenger") { request throws(AdapterError) in
        try MetaMessaging.normalize(request, objects: ["page"], provider: "messenger")
    }
}
