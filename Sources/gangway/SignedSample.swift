import Adapters
import AsyncHTTPClient
import GangwayCore
import NIOCore
import NIOHTTP1

/// A provider's sample, signed the way the provider signs it, as `simulate` and `doctor` send it.
enum SignedSample {
    /// What `simulate` sends without `--sample`: a voice provider's whole call (its start, each
    /// turn, its end); otherwise the `text` sample, else `sms`, else the first.
    static func defaultPlan(_ samples: [SampleFiles.Sample], voice: Bool) -> [SampleFiles.Sample] {
        if voice {
            let ends: Set<String> = ["/status", "/disconnect"]
            return samples.filter { $0.subpath.isEmpty } + samples.filter { !$0.subpath.isEmpty && !ends.contains($0.subpath) }
                + samples.filter { ends.contains($0.subpath) }
        }
        let preferred = samples.first(where: { $0.name == "text" }) ?? samples.first(where: { $0.name == "sms" }) ?? samples.first
        return preferred.map { [$0] } ?? []
    }

    /// The request for one sample: signed for `webhookURL` (the channel's URL as the gateway will
    /// reconstruct it) plus the sample's subpath, sent to `base` + `/webhooks/<id>` + subpath.
    /// Providers that sign in the query (WeChat) add it to the signed URL: it is sent along.
    static func request(
        _ sample: SampleFiles.Sample, descriptor: ProviderDescriptor, channel: ChannelConfiguration, signedFor webhookURL: String, sendTo base: String
    ) -> HTTPClientRequest {
        let signed = sample.signed(descriptor, channel, webhookURL: webhookURL)
        let query = signed.url.firstIndex(of: "?").map { String(signed.url[$0...]) } ?? ""
        var outgoing = HTTPClientRequest(url: "\(base)/webhooks/\(channel.id)\(sample.subpath)\(query)")
        outgoing.method = .POST
        outgoing.headers.add(name: "content-type", value: signed.contentType)
        for (name, value) in signed.headers { outgoing.headers.add(name: name, value: value) }
        outgoing.body = .bytes(ByteBuffer(bytes: signed.body))
        return outgoing
    }
}
