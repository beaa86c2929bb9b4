import Foundation

/// The `Decoder` over one parsed value of ``RecordedJSONDecoder``: it decodes as `JSONDecoder`
/// with its default strategies does, and gives up (``RecordedJSONDecoder/GaveUp``) where it
/// might not.
struct RecordedValueDecoder: Decoder {
    let value: RecordedJSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw RecordedJSONDecoder.GaveUp() }
        return KeyedDecodingContainer(RecordedKeyedContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw RecordedJSONDecoder.GaveUp() }
        return RecordedUnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RecordedSingleValue(value: value, codingPath: codingPath)
    }

    /// Decodes `type` from `value` at `path`.
    static func decode<Value: Decodable>(_ type: Value.Type, from value: RecordedJSONValue, at path: [any CodingKey]) throws -> Value {
        if RecordedJSONValue.isSpecial(type) { throw RecordedJSONDecoder.GaveUp() }
        return try Value(from: RecordedValueDecoder(value: value, codingPath: path))
    }
}

/// Scalars, as `JSONDecoder` reads them: integers only from integer text that fits, no
/// conversions between kinds.
enum RecordedScalar {
    static func bool(_ value: RecordedJSONValue) throws -> Bool {
        guard case .bool(let bool) = value else { throw RecordedJSONDecoder.GaveUp() }
        return bool
    }

    static func string(_ value: RecordedJSONValue) throws -> String {
        guard case .string(let string) = value else { throw RecordedJSONDecoder.GaveUp() }
        return string
    }

    static func double(_ value: RecordedJSONValue) throws -> Double {
        guard case .number(let text) = value, let double = Double(text), double.isFinite else { throw RecordedJSONDecoder.GaveUp() }
        return double
    }

    static func integer<Integer: FixedWidthInteger>(_ value: RecordedJSONValue, as type: Integer.Type) throws -> Integer {
        guard case .number(let text) = value, let integer = Integer(text, radix: 10) else { throw RecordedJSONDecoder.GaveUp() }
        return integer
    }
}

struct RecordedKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(key: String, value: RecordedJSONValue)]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { members.contains { $0.key == key.stringValue } }

    private func value(for key: Key) throws -> RecordedJSONValue {
        let name = key.stringValue
        for member in members where member.key == name { return member.value }
        throw RecordedJSONDecoder.GaveUp()
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(for: key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try RecordedScalar.bool(value(for: key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try RecordedScalar.string(value(for: key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try RecordedScalar.double(value(for: key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw RecordedJSONDecoder.GaveUp() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try RecordedScalar.integer(value(for: key), as: type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try RecordedScalar.integer(value(for: key), as: type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try RecordedScalar.integer(value(for: key), as: type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try RecordedScalar.integer(value(for: key), as: type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try RecordedScalar.integer(value(for: key), as: type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try RecordedScalar.integer(value(for: key), as: type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try RecordedScalar.integer(value(for: key), as: type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try RecordedScalar.integer(value(for: key), as: type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try RecordedScalar.integer(value(for: key), as: type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try RecordedScalar.integer(value(for: key), as: type) }

    func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value {
        try RecordedValueDecoder.decode(type, from: value(for: key), at: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try RecordedValueDecoder(value: value(for: key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try RecordedValueDecoder(value: value(for: key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { throw RecordedJSONDecoder.GaveUp() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw RecordedJSONDecoder.GaveUp() }
}

struct RecordedUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [RecordedJSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [RecordedJSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> RecordedJSONValue {
        guard !isAtEnd else { throw RecordedJSONDecoder.GaveUp() }
        defer { currentIndex += 1 }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw RecordedJSONDecoder.GaveUp() }
        guard case .null = elements[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try RecordedScalar.bool(next()) }
    mutating func decode(_ type: String.Type) throws -> String { try RecordedScalar.string(next()) }
    mutating func decode(_ type: Double.Type) throws -> Double { try RecordedScalar.double(next()) }
    mutating func decode(_ type: Float.Type) throws -> Float { throw RecordedJSONDecoder.GaveUp() }
    mutating func decode(_ type: Int.Type) throws -> Int { try RecordedScalar.integer(next(), as: type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try RecordedScalar.integer(next(), as: type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try RecordedScalar.integer(next(), as: type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try RecordedScalar.integer(next(), as: type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try RecordedScalar.integer(next(), as: type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try RecordedScalar.integer(next(), as: type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try RecordedScalar.integer(next(), as: type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try RecordedScalar.integer(next(), as: type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try RecordedScalar.integer(next(), as: type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try RecordedScalar.integer(next(), as: type) }

    mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        let path = codingPath + [RecordedIndexKey(intValue: currentIndex)]
        return try RecordedValueDecoder.decode(type, from: next(), at: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let path = codingPath + [RecordedIndexKey(intValue: currentIndex)]
        return try RecordedValueDecoder(value: next(), codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = codingPath + [RecordedIndexKey(intValue: currentIndex)]
        return try RecordedValueDecoder(value: next(), codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { throw RecordedJSONDecoder.GaveUp() }
}

struct RecordedSingleValue: SingleValueDecodingContainer {
    let value: RecordedJSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try RecordedScalar.bool(value) }
    func decode(_ type: String.Type) throws -> String { try RecordedScalar.string(value) }
    func decode(_ type: Double.Type) throws -> Double { try RecordedScalar.double(value) }
    func decode(_ type: Float.Type) throws -> Float { throw RecordedJSONDecoder.GaveUp() }
    func decode(_ type: Int.Type) throws -> Int { try RecordedScalar.integer(value, as: type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try RecordedScalar.integer(value, as: type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try RecordedScalar.integer(value, as: type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try RecordedScalar.integer(value, as: type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try RecordedScalar.integer(value, as: type) }
    func decode(_ type: UInt.Type) throws -> UInt { try RecordedScalar.integer(value, as: type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try RecordedScalar.integer(value, as: type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try RecordedScalar.integer(value, as: type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try RecordedScalar.integer(value, as: type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try RecordedScalar.integer(value, as: type) }

    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try RecordedValueDecoder.decode(type, from: value, at: codingPath)
    }
}

/// An array index in a coding path.
struct RecordedIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
