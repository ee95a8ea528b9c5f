import Foundation
import GangwayCore
import Testing

@Suite struct JSONValueTests {
    @Test func keepsLargeNumbersAsExactDigits() throws {
        let json = try JSONValue.parse(Array(#"{"message_token": 5741311803571721087, "neg": -1001234567890123456, "f": 1.5e3}"#.utf8))
        #expect(json["message_token"]?.idString == "5741311803571721087")
        #expect(json["neg"]?.idString == "-1001234567890123456")
        #expect(json["f"]?.double == 1500)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let json = try JSONValue.parse(Array(#"{"t":"h\u00e4tte \ud83d\udc4d \"q\" \\ \n"}"#.utf8))
        #expect(json["t"]?.string == "hätte 👍 \"q\" \\ \n")
    }

    @Test(arguments: ["", "{", "{\"a\":}", "[1,]", "{\"a\":1} x", "\"\u{01}\"", "{\"a\":tru}", "01", "\"\\ud800\""])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func rejectsAbsurdNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(deep.utf8)) }
    }

    @Test func serializesRoundTrip() throws {
        let text = #"{"a":[1,2.5,true,null,"x\"y"],"b":{"c":12345678901234567890}}"#
        #expect(try JSONValue.parse(Array(text.utf8)).serialized() == text)
    }

    @Test func escapesStringsAsJSONEncoderDoes() throws {
        // Every control character, quotes, backslash, slash and non-ASCII text.
        let tricky = String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }) + "\"\\/ é 😀 \u{7F}"
        let ours = JSONValue.array([.string(tricky)]).serialized()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        #expect(ours == String(decoding: try encoder.encode([tricky]), as: UTF8.self))
        #expect(try JSONValue.parse(Array(ours.utf8)) == .array([.string(tricky)]))
    }
}

@Suite struct FormFieldTests {
    @Test func decodesPlusAndPercent() throws {
        let fields = try #require(FormField.parse("Body=Hallo+%C3%BCber&From=%2B49123&Empty="))
        #expect(fields[field: "Body"] == "Hallo über")
        #expect(fields[field: "From"] == "+49123")
        #expect(fields[field: "Empty"] == "")
    }

    @Test func rejectsBadEscapesAndNonUTF8() {
        #expect(FormField.parse("a=%ZZ") == nil)
        #expect(FormField.parse([0x61, 0x3D, 0xFF]) == nil)
    }

    /// The byte-level decoder agrees with Foundation's percent decoding (the previous
    /// implementation) on generated forms, good and bad.
    @Test func agreesWithFoundationDecoding() {
        func reference(_ text: String) -> [FormField]? {
            var fields: [FormField] = []
            for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = parts[0].replacingOccurrences(of: "+", with: " ").removingPercentEncoding else { return nil }
                let value = parts.count > 1 ? parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding : ""
                guard let value else { return nil }
                fields.append(FormField(name, value))
            }
            return fields
        }
        let pieces = [
            "a", "Body", "=", "&", "+", "%", "%2", "%2B", "%C3%BC", "%c3%bc", "%FF", "%zz", "ü", "日本", " ", "==", "&&", "%41%42", "%E2%82", "%E2%82%AC",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(FormField.parse(text) == reference(text), "\(text)")
        }
    }

    @Test func encodeThenParseIsIdentity() throws {
        let fields = [FormField("a b", "c&d=e+f/ü"), FormField("x", "")]
        #expect(FormField.parse(FormField.encode(fields)) == fields)
    }
}
