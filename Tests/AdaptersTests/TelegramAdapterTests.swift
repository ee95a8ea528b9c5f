import Foundation
import GangwayCore
import Testing

@Suite struct TelegramAdapterTests {
    let ch = channel("telegram", secrets: ["secretToken": "tg_secret-Token_123"])

    func request(_ name: String) throws -> InboundRequest {
        try signed(ch, body: try sample("telegram", name), contentType: "application/json")
    }

    @Test func secretTokenHeaderIsRequiredAndCompared() throws {
        let a = try adapter(for: ch)
        let good = try request("text.json")
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("X-Telegram-Bot-Api-Secret-Token", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Telegram-Bot-Api-Secret-Token", with: "tg_secret-Token_124")) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Telegram-Bot-Api-Secret-Token", with: "")) }
    }

    @Test func textMessage() throws {
        let calls = try adapter(for: ch).normalize(try request("text.json"))
        let c = try #require(calls.first)
        #expect(calls.count == 1)
        #expect(c.kind == .handle)
        #expect(c.key == "734892108")
        #expect(c.providerId == "123456789")
        #expect(c.message == InboundMessage(id: "4411", type: .text, text: "Hallo Bot", timestamp: "2025-11-25T10:00:00Z"))
        #expect(c.contact == InboundContact(name: "Max Example", username: "maxexample", locale: "de"))
    }

    @Test func callbackQueryCarriesTheButtonPayload() throws {
        let c = try #require(try adapter(for: ch).normalize(try request("callback-query.json")).first)
        #expect(c.message?.type == .postback)
        #expect(c.message?.payload == "BOOK_YES")
        #expect(c.providerId == "123456789")
        #expect(c.key == "734892109")
    }

    @Test func photoTakesTheLargestSizeAndGroupChatIdIsExact() throws {
        let c = try #require(try adapter(for: ch).normalize(try request("photo.json")).first)
        #expect(c.providerId == "-1001234567890123")
        #expect(c.message?.type == .image)
        #expect(c.message?.media?.first?.id == "AgACAgIAAxkBAAIBsmaLarge")
        #expect(c.message?.text == "Der Schaden")
    }

    @Test func blockedBotBecomesUserUnsubscribed() throws {
        let c = try #require(try adapter(for: ch).normalize(try request("blocked.json")).first)
        #expect(c.kind == .event)
        #expect(c.event == "user_unsubscribed")
        #expect(c.provider.event == "kicked")
    }

    @Test func idsBeyond2to53StayExact() throws {
        let body =
            #"{"update_id": 9007199254740993, "message": {"message_id": 1, "chat": {"id": 9007199254740995, "type": "private"}, "date": 1, "text": "x"}}"#
        let c = try #require(try adapter(for: ch).normalize(try signed(ch, body: Array(body.utf8), contentType: "application/json")).first)
        #expect(c.key == "9007199254740993")
        #expect(c.providerId == "9007199254740995")
    }

    @Test func unmappedUpdatesAreIgnoredAndGarbageIsRejected() throws {
        let a = try adapter(for: ch)
        let inline = #"{"update_id": 5, "inline_query": {"id": "1", "from": {"id": 1}, "query": "x", "offset": ""}}"#
        #expect(try a.normalize(try signed(ch, body: Array(inline.utf8), contentType: "application/json")).isEmpty)
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array("{}".utf8), contentType: "application/json")) }
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: [0xFF, 0xFE], contentType: "application/json")) }
    }
}
