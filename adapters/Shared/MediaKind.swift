import Foundation
import GangwayCore

/// Picks `message.type` for media, for providers that send a MIME type, a file name, or only a URL.
enum MediaKind {
    /// By the MIME type when there is one (`image/*` → image, `audio/*` → audio, `video/*` →
    /// video, vCard → contact), else by the URL's or file name's extension; `document` when
    /// neither tells.
    static func messageType(mimeType: String?, url: String? = nil) -> MessageType {
        let mime = (mimeType ?? "").lowercased()
        if mime.hasPrefix("image/") { return .image }
        if mime.hasPrefix("audio/") { return .audio }
        if mime.hasPrefix("video/") { return .video }
        if mime.contains("vcard") { return .contact }
        if !mime.isEmpty { return .document }
        return byExtension(url) ?? .document
    }

    private static func byExtension(_ url: String?) -> MessageType? {
        guard var path = url else { return nil }
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<end]) }
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "jpg", "jpeg", "png", "gif", "webp", "heic", "bmp": return .image
        case "mp3", "ogg", "oga", "opus", "amr", "m4a", "aac", "wav": return .audio
        case "mp4", "3gp", "mov", "webm", "mpeg": return .video
        case "vcf": return .contact
        default: return nil
        }
    }
}
