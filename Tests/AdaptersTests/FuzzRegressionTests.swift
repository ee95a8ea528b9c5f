import Foundation
import GangwayCore
import GangwayFuzz
import Testing

/// Inputs the fuzzers found, each kept as a test once fixed (FuzzTests.swift, scripts/fuzz.sh).
@Suite struct FuzzRegressionTests {
    func target(_ name: String) throws -> FuzzTarget {
        try #require(try FuzzTargets.named(name))
    }

    /// Found by the seeded fuzzer (voice-answer): a chatbot answer whose `language` held a NUL made
    /// the TwiML / Plivo XML / TeXML reply not well-formed (XML 1.0 allows no C0 control characters,
    /// not even escaped), so the provider would have refused the whole reply mid-call.
    @Test func voiceAnswerWithControlCharactersStillRendersWellFormedXML() throws {
        let answer =
            #"{"actions":[{"say":"a\u0000b\u0001c\ud83d\ude00","language":"de\u001f-DE"},"#
            + #"{"listen":{"timeoutSeconds":5,"language":"\u0000","hints":["\u0002x"]}},{"play":"https://x/\u000b.mp3"},{"transfer":"+49\u0007"}]}"#
        #expect(try target("voice-answer").run(Array(answer.utf8)) == nil)
        #expect(XML.escape("a\u{0}b\u{1F}\tc\r\n\u{FFFE}\u{FFFF}<&>\"'é") == "ab\tc\r\n&lt;&amp;&gt;&quot;&apos;é")
    }
}
