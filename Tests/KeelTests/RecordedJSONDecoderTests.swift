import Foundation
import Testing

@testable import Keel

/// A replay decodes recorded results with ``RecordedJSONDecoder`` and falls back to
/// `JSONDecoder`: every value it decodes must be the one `JSONDecoder` gives, and wherever the
/// two could differ (or the text is not strict JSON) it must give up instead.
@Suite
struct RecordedJSONDecoderTests {
    struct StepResult: Codable, Equatable, Sendable {
        let value: Int
        let label: String
    }

    struct Everything: Codable, Equatable, Sendable {
        enum Kind: String, Codable, Sendable { case first, second }
        enum Choice: Codable, Equatable, Sendable {
            case count(Int)
            case named(name: String, tags: [String])
        }

        let id: Int64
        let name: String?
        let missing: String?
        let scores: [Double]
        let kind: Kind
        let byName: [String: Int]
        let byNumber: [Int: String]
        let choice: Choice
        let nested: [[StepResult]]
        let flag: Bool
        let small: UInt8
        let big: UInt64
    }

    static let encoder = JSONCoding.encoder()
    static let decoder = JSONCoding.decoder()

    /// Encodes `value` as Keel records it, then checks both decoders give it back.
    func expectBothDecode<Value: Codable & Equatable>(_ value: Value, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let data = try Self.encoder.encode(value)
        let fast = try RecordedJSONDecoder.decode(Value.self, from: data)
        #expect(fast == value, sourceLocation: sourceLocation)
        #expect(fast == (try Self.decoder.decode(Value.self, from: data)), sourceLocation: sourceLocation)
    }

    @Test func decodesWhatKeelRecordsExactlyAsJSONDecoderDoes() throws {
        try expectBothDecode(StepResult(value: 3, label: "r"))
        try expectBothDecode(StepResult(value: 4, label: "café 😀 ünïcödé"))  // not ASCII, not escaped
        try expectBothDecode(StepResult(value: Int.min + 1, label: "é \" \\ / \n \t \u{1F600} \u{0001} \u{0000}"))
        try expectBothDecode(
            Everything(
                id: 42, name: nil, missing: nil, scores: [1.5, -0.0, 1e300, 3, 0.1, .leastNonzeroMagnitude], kind: .second, byName: ["x": 1, "y": -2],
                byNumber: [1: "a", -3: "b"], choice: .named(name: "n", tags: ["t", ""]), nested: [[StepResult(value: 1, label: "")], []],
                flag: true, small: 255, big: UInt64.max
            )
        )
        try expectBothDecode(
            Everything(
                id: 0, name: "x", missing: "m", scores: [], kind: .first, byName: [:], byNumber: [:], choice: .count(7), nested: [],
                flag: false, small: 0, big: 0
            )
        )
        try expectBothDecode([1, 2, 3])
        try expectBothDecode(["a": [true, false]])
        try expectBothDecode(Int?.none)
        try expectBothDecode([Int?.some(1), nil])
        try expectBothDecode(0.1)
        try expectBothDecode("plain")
        try expectBothDecode([String]())
    }

    @Test(arguments: [
        "1.0", "1e2", "01", "-", "+1", "1.", "[1,]", "[1] x", "", " ", "nul", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\"\\udc00\"",
        "\"\u{1}\"", "\"\\x\"", "1e999", "{\"a\" 1}", "[", "\"open",
    ])
    func givesUpOnTextItMightReadOtherwiseThanJSONDecoder(text: String) {
        let data = Data(text.utf8)
        #expect(throws: RecordedJSONDecoder.GaveUp.self) { try RecordedJSONDecoder.decode(Int.self, from: data) }
        #expect(throws: RecordedJSONDecoder.GaveUp.self) { try RecordedJSONDecoder.decode([Int].self, from: data) }
        #expect(throws: RecordedJSONDecoder.GaveUp.self) { try RecordedJSONDecoder.decode([String: Int].self, from: data) }
        #expect(throws: RecordedJSONDecoder.GaveUp.self) { try RecordedJSONDecoder.decode(String.self, from: data) }
    }

    @Test func givesUpOnBytesThatAreNotUTF8() throws {
        for bytes: [UInt8] in [[0x22, 0xC3, 0x22], [0x22, 0x61, 0xFF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: RecordedJSONDecoder.GaveUp.self) { try RecordedJSONDecoder.decode(String.self, from: Data(bytes)) }
        }
        #expect(try RecordedJSONDecoder.decode(String.self, from: Data([0x22, 0xC3, 0xA9, 0x22])) == "é")
    }

    @Test func leavesDatesDataFloatsAndOutOfRangeIntegersToJSONDecoder() throws {
        struct Stamped: Codable, Equatable { let at: Date }
        struct Blob: Codable, Equatable { let bytes: Data }
        #expect(throws: RecordedJSONDecoder.GaveUp.self) { try RecordedJSONDecoder.decode(Stamped.self, from: Data(#"{"at":"2026-12-04T03:00:00.123Z"}"#.utf8)) }
        #expect(throws: RecordedJSONDecoder.GaveUp.self) { try RecordedJSONDecoder.decode(Blob.self, from: Data(#"{"bytes":"AQI="}"#.utf8)) }
        #expect(throws: RecordedJSONDecoder.GaveUp.self) { try RecordedJSONDecoder.decode(Float.self, from: Data("0.1".utf8)) }
        #expect(throws: RecordedJSONDecoder.GaveUp.self) { try RecordedJSONDecoder.decode(UInt8.self, from: Data("256".utf8)) }
        #expect(throws: RecordedJSONDecoder.GaveUp.self) { try RecordedJSONDecoder.decode(Bool.self, from: Data("1".utf8)) }

        // Through JSONCoding they still decode, with JSONDecoder's strategies.
        let stamped = Stamped(at: Date(timeIntervalSince1970: 1_796_353_200.5))
        #expect(try JSONCoding.decode(Stamped.self, from: try Self.encoder.encode(stamped), what: "a date") == stamped)
        #expect(try JSONCoding.decode(Blob.self, from: Data(#"{"bytes":"AQI="}"#.utf8), what: "data") == Blob(bytes: Data([1, 2])))
        #expect(try JSONCoding.decode(Float.self, from: Data("0.1".utf8), what: "a float") == Float(0.1))
    }

    @Test func taskInputsDecodeAsJSONDecoderDecodesThem() throws {
        struct Order: Codable, Equatable { let id: Int; let items: [String]; let note: String?; let price: Double; let due: Date? }
        let texts = [
            #"{"id":7,"items":["a","b"],"price":12,"note":null}"#,
            #"{ "items" : [ ] , "id" : -3 , "price" : 0.25, "due": "2026-12-07T02:00:00.000Z" }"#,
            #"{"id":1,"items":["\u00e9\n"],"price":1e2,"note":"caf\u00e9"}"#,
            #"{"id":1,"id":2,"items":[],"price":1}"#,
        ]
        for text in texts {
            let data = Data(text.utf8)
            #expect(try JSONCoding.decodeInput(Order.self, from: data, task: "order") == (try Self.decoder.decode(Order.self, from: data)), "\(text)")
        }
        let error = #expect(throws: KeelError.self) {
            try JSONCoding.decodeInput(Order.self, from: Data(#"{"id":"seven","items":[],"price":1}"#.utf8), task: "order")
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains("input for task 'order' does not decode") == true)
        #expect(error?.message.contains("'id'") == true)
    }

    @Test func errorsAreJSONDecodersNamingTheField() {
        let error = #expect(throws: KeelError.self) {
            try JSONCoding.decode(StepResult.self, from: Data(#"{"value":"three","label":"r"}"#.utf8), what: "the result of step 'count'")
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains("the result of step 'count' does not decode") == true)
        #expect(error?.message.contains("'value'") == true)
    }
}
