import Foundation
import Testing

@testable import Keel

/// Keel encodes what it records with ``RecordedJSONEncoder`` and falls back to `JSONEncoder`:
/// every text it writes must be the bytes `JSONEncoder` writes, and wherever the two could
/// differ it must give up instead.
@Suite
struct RecordedJSONEncoderTests {
    typealias StepResult = RecordedJSONDecoderTests.StepResult

    struct Everything: Codable, Sendable {
        enum Kind: String, Codable, Sendable { case first, second }
        enum Choice: Codable, Sendable {
            case count(Int)
            case named(name: String, tags: [String])
            case nothing
        }

        let zulu: Int64
        let name: String?
        let missing: String?
        let kind: Kind
        let byName: [String: Int]
        let byNumber: [Int: String]
        let choice: Choice
        let nested: [[StepResult]]
        let optionals: [Int?]
        let flag: Bool
        let small: UInt8
        let big: UInt64
        let tiny: Int8
        let _underscored: Int16
        let Capital: UInt32
        let empty: [String]
        let set: Set<Int>
    }

    /// A keyed container whose keys are written out of order, digits and capitals included.
    struct OddKeys: Encodable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            for key in ["b", "B", "a10", "a2", "_x", "e", "Z", "10", "9", "a", "aa", "A", "a-b", "a.b", "a b", "~"] {
                try container.encode(key.count, forKey: AnyKey(key))
            }
            var nested = container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("nested"))
            try nested.encodeNil(forKey: AnyKey("nil"))
            var list = container.nestedUnkeyedContainer(forKey: AnyKey("list"))
            try list.encode(true)
            var inner = list.nestedContainer(keyedBy: AnyKey.self)
            try inner.encode("x", forKey: AnyKey("y"))
            var deeper = list.nestedUnkeyedContainer()
            try deeper.encodeNil()
        }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Encodes with both and checks the bytes are the same.
    func expectSameBytes<Value: Encodable>(_ value: Value, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try JSONCoding.sharedEncoder.encode(value)
        let fast = try RecordedJSONEncoder.encode(value)
        #expect(String(decoding: fast, as: UTF8.self) == String(decoding: expected, as: UTF8.self), sourceLocation: sourceLocation)
        #expect(try JSONCoding.encode(value, what: "the value") == expected, sourceLocation: sourceLocation)
    }

    /// Checks the fast path gives up on `value` (or fails: a container's default for a type it
    /// has no method of its own for), and that the text is then `JSONEncoder`'s.
    func expectGivesUp<Value: Encodable>(_ value: Value, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(throws: (any Error).self, sourceLocation: sourceLocation) { try RecordedJSONEncoder.encode(value) }
        #expect(try JSONCoding.encode(value, what: "the value") == (try JSONCoding.sharedEncoder.encode(value)), sourceLocation: sourceLocation)
    }

    @Test func writesWhatKeelRecordsByteForByteAsJSONEncoderDoes() throws {
        try expectSameBytes(StepResult(value: 3, label: "r"))
        try expectSameBytes(StepResult(value: Int.min, label: "é \" \\ / \n \r \t \u{8} \u{C} \u{7F} \u{1F600} \u{2028} \u{0001} \u{001F} \u{0000} end"))
        try expectSameBytes(
            Everything(
                zulu: Int64.max, name: nil, missing: "m", kind: .second, byName: ["x": 1, "y": -2, "B": 0, "a1": 3],
                byNumber: [1: "a", -3: "b", 20: "c", 3: "d"], choice: .named(name: "n", tags: ["t", ""]),
                nested: [[StepResult(value: 1, label: "")], []], optionals: [1, nil, 3], flag: true, small: 255, big: UInt64.max,
                tiny: Int8.min, _underscored: -1, Capital: UInt32.max, empty: [], set: [5, 1, 9]
            )
        )
        try expectSameBytes(Everything.Choice.count(7))
        try expectSameBytes(Everything.Choice.nothing)
        try expectSameBytes(OddKeys())
        // Fragments at the top level, and empty containers
        try expectSameBytes(42)
        try expectSameBytes("text/with/slashes")
        try expectSameBytes(true)
        try expectSameBytes(Int?.none)
        try expectSameBytes([String: Int]())
        try expectSameBytes([Int]())
        try expectSameBytes([[Int]]([[], [1]]))
        // The stores' lists of ids and tags
        for strings in [[], ["run-1"], ["a/b", "q\"uote", "tab\t", "é"]] {
            #expect(RecordedJSONEncoder.array(of: strings) == String(decoding: try JSONCoding.sharedEncoder.encode(strings), as: UTF8.self))
        }
    }

    @Test func givesUpWhereJSONEncoderHasAWayOfItsOwn() throws {
        struct WithDate: Encodable { let at: Date }
        struct WithDouble: Encodable { let score: Double }
        struct WithData: Encodable { let bytes: Data }
        struct WithURL: Encodable { let url: URL }
        struct WithDecimal: Encodable { let amount: Decimal }
        struct WithWide: Encodable { let wide: Int128 }
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        struct TwiceTheKey: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyKey.self)
                try container.encode(1, forKey: AnyKey("k"))
                try container.encode(2, forKey: AnyKey("k"))
            }
        }
        struct NotASCII: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyKey.self)
                try container.encode(1, forKey: AnyKey("é"))
            }
        }
        class Base: Encodable { var base = 1 }
        final class Derived: Base {
            override func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyKey.self)
                try super.encode(to: container.superEncoder())
            }
        }
        try expectGivesUp(WithDate(at: Date(timeIntervalSince1970: 1_700_000_000.123)))
        try expectGivesUp(WithDouble(score: 0.1))
        try expectGivesUp([1.5])
        try expectGivesUp(Float(2))
        try expectGivesUp(WithData(bytes: Data([1, 2])))
        try expectGivesUp(WithURL(url: URL(string: "https://example.com/a")!))
        try expectGivesUp(WithDecimal(amount: Decimal(string: "1.10")!))
        try expectGivesUp(WithWide(wide: 1))
        try expectGivesUp(TwiceTheKey())
        try expectGivesUp(NotASCII())
        try expectGivesUp(Derived())
        #expect(throws: RecordedJSONEncoder.GaveUp.self) { try RecordedJSONEncoder.encode(Nothing()) }
    }

    @Test func aValuesOwnErrorIsJSONEncodersError() throws {
        struct Refuses: Encodable {
            struct Refusal: Error {}
            func encode(to encoder: any Encoder) throws { throw Refusal() }
        }
        let error = try #require(throws: KeelError.self) { try JSONCoding.encode(Refuses(), what: "the result of step 's'") }
        #expect(error.code == .encodingFailed)
    }
}
