import Foundation
import GangwayCore

/// The sample payloads under `adapters/<provider>/samples/`, as `gangway simulate`, the tests and
/// the micro-benchmarks send them: `.json` as `application/json`, `.form` as
/// `application/x-www-form-urlencoded`, `.xml` as `text/xml`; other files are not samples.
public enum SampleFiles {
    public struct Sample: Sendable {
        /// The file's name without its extension.
        public var name: String
        /// The file's name.
        public var file: String
        public var contentType: String
        public var body: [UInt8]
        /// Where it is posted below `/webhooks/{channel}`. A voice sample's name begins with where it
        /// goes: `start` the channel URL itself, any other word `/<word>` (`gather-1-speech` →
        /// /gather, `status-completed` → /status, AudioCodes' `activities-2-speech` → /activities,
        /// `disconnect` → /disconnect). Messaging samples all go to the channel URL.
        public var subpath: String

        /// The request the provider would send for this sample to a channel whose webhook URL is
        /// `webhookURL`, signed with the channel's secrets the way the provider signs.
        public func signed(
            _ descriptor: ProviderDescriptor, _ channel: ChannelConfiguration, webhookURL: String, now: Date = Date()
        )
            -> SampleRequest
        {
            var request = SampleRequest(url: webhookURL + subpath, contentType: contentType, body: body, now: now)
            descriptor.signSample(&request, channel)
            return request
        }

        /// What the adapter receives for the signed request (with the subpath the route gives it).
        public func inbound(_ signed: SampleRequest) -> InboundRequest {
            var request = signed.inbound
            request.subpath = subpath
            return request
        }
    }

    /// The samples in `folder` (an `adapters/<provider>/samples` folder), sorted by file name.
    public static func load(folder: String, voice: Bool) throws -> [Sample] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        return files.compactMap { file in
            let ext = (file as NSString).pathExtension
            let type: String
            switch ext {
            case "json": type = "application/json"
            case "form": type = "application/x-www-form-urlencoded"
            case "xml": type = "text/xml"
            default: return nil
            }
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(file)") else { return nil }
            var body = Array(data)
            // Files end with a newline for editors; a form's or XML body from the provider does not.
            if type != "application/json" { while body.last == 0x0A { body.removeLast() } }
            let name = (file as NSString).deletingPathExtension
            let word = String(name.prefix(while: { $0 != "-" }))
            let subpath = !voice || word == "start" ? "" : "/" + word
            return Sample(name: name, file: file, contentType: type, body: body, subpath: subpath)
        }
    }

    /// `<root>/<provider>/samples` for the first of `roots` (folders named `adapters`) that has it.
    public static func locate(provider: String, roots: [String]) -> String? {
        roots.map { "\($0)/\(provider)/samples" }.first { FileManager.default.fileExists(atPath: $0) }
    }
}
