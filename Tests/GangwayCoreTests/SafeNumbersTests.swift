import Foundation
import GangwayCore
import Testing

/// Numbers a stranger controls never reach a trapping conversion (issue 12): each of these
/// inputs crashed the process before `UnixTime` / `SafeNumbers` existed.
@Suite struct SafeNumbersTests {
    static let hostile = [
        "nan", "NaN", "inf", "-inf", "infinity", "1e300", "-1e300", "1e19", "123456789012345678901234567890", "-1", "+1700000000",
        "1.5", " 1700000000", "1700000000 ", "0x10", "", "١٧٠٠٠٠٠٠٠٠", "9223372036854775808", "253402300800",
    ]

    @Test func aUnixTimeIsPlainDecimalDigitsInRange() {
        #expect(UnixTime.seconds("1700000000") == 1_700_000_000)
        #expect(UnixTime.seconds("0") == 0)
        #expect(UnixTime.seconds("253402300799") == 253_402_300_799)
        for text in Self.hostile { #expect(UnixTime.seconds(text) == nil, "\(text)") }
    }

    @Test func aTimestampHeaderThatIsNotAUnixTimeIsRefusedLikeAStaleOneNeverATrap() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(throws: Never.self) { try Signatures.checkTimestamp("1700000100", header: "t", now: now, tolerance: 300) }
        for text in Self.hostile {
            #expect(throws: AdapterError.self, "\(text)") { try Signatures.checkTimestamp(text, header: "t", now: now, tolerance: 300) }
        }
        do {
            try Signatures.checkTimestamp("100", header: "x-ts", now: now, tolerance: 300)
            Issue.record("stale accepted")
        } catch {
            #expect(error.kind == .unauthorized)
            #expect(error.message.contains("outside the 300 s window"))
        }
    }

    @Test func jwtTimeClaimsThatAreNotNumericDatesInRangeAreRefused() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        for claim in ["1e300", "-1e300", "1e19", "\"nan\"", "\"1700000100\"", "true", "null"] {
            let claims = try JSONValue.parse(Array(#"{"exp": \#(claim), "nbf": \#(claim), "iat": \#(claim)}"#.utf8))
            let token = JWT.signHS256(claims: claims, secret: Array("k".utf8))
            let jwt = try JWT(token)
            #expect(throws: JWT.Failure.self, "\(claim)") { try jwt.checkTimes(now: now, leeway: 60, maxAge: 300) }
        }
        let good = try JWT(JWT.signHS256(claims: .object([("exp", .number("1700000100")), ("iat", .number("1699999990.5"))]), secret: Array("k".utf8)))
        #expect(throws: Never.self) { try good.checkTimes(now: now, leeway: 60, maxAge: 300) }
    }

    @Test func absurdNumbersInAVoiceAnswerAreDroppedNotTrapped() {
        for value in ["1e300", "-1e300", "\"nan\"", "-1", "1e19", "7200"] {
            let actions = VoiceAction.parse(Array(#"{"actions": [{"listen": {"timeoutSeconds": \#(value)}}]}"#.utf8))
            #expect(actions == [.listen(timeoutSeconds: nil, language: nil, hints: [])], "\(value)")
        }
        #expect(
            VoiceAction.parse(Array(#"{"actions": [{"listen": {"timeoutSeconds": 4.5}}]}"#.utf8)) == [.listen(timeoutSeconds: 4.5, language: nil, hints: [])])
    }

    @Test func conversionsClampOrRefuseInsteadOfTrapping() {
        #expect(SafeNumbers.int(.nan, clampedTo: 1...60) == nil)
        #expect(SafeNumbers.int(.infinity, clampedTo: 1...60) == 60)
        #expect(SafeNumbers.int(-.infinity, clampedTo: 1...60) == 1)
        #expect(SafeNumbers.int(1e300, clampedTo: 0...3_600_000) == 3_600_000)
        #expect(SafeNumbers.int(4.6, clampedTo: 1...60) == 5)
        #expect(SafeNumbers.int64(.nan) == nil)
        #expect(SafeNumbers.int64(1e19) == nil)
        #expect(SafeNumbers.int64(-12.7) == -12)
        #expect(SafeNumbers.describeSeconds(.infinity) == "huge")
        #expect(Timestamps.iso8601(unixSeconds: .infinity) == "9999-12-31T23:59:59Z")
        #expect(Timestamps.iso8601(unixSeconds: .nan) == "1970-01-01T00:00:00Z")
        #expect(Timestamps.iso8601(unixSeconds: "1e300") == "9999-12-31T23:59:59Z")
        #expect(Timestamps.iso8601(unixSeconds: 1_700_000_000) == "2023-11-14T22:13:20Z")
    }
}
