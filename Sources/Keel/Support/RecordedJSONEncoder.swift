import Foundation

/// An encoder for what Keel records (inputs, outputs, step results): the same bytes as
/// ``JSONCoding``'s `JSONEncoder` (keys sorted by their UTF-8 bytes, slashes not escaped), at a
/// fraction of its cost, for values made of what JSON holds as is — objects, arrays, strings,
/// integers, booleans and null.
///
/// It gives up (``GaveUp``) wherever `JSONEncoder` has a way of its own: floating-point numbers,
/// dates, data, URLs, decimals, 128-bit integers, a key that is not ASCII or is written twice, a
/// super encoder, a container asked for twice in different shapes, a value that encodes nothing,
/// or any error. ``JSONCoding/encode(_:what:)``
/// then encodes the value with `JSONEncoder`, so a text and an error are always `JSONEncoder`'s
/// (tested against it: `RecordedJSONEncoderTests`).
package enum RecordedJSONEncoder {
    /// Thrown when the fast path gives up; the caller falls back to `JSONEncoder`.
    struct GaveUp: Error {}

    /// A JSON array of `strings` (the stores' lists of ids and tags), without an encoder.
    package static func array(of strings: [String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, string) in strings.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            EncodedNode.write(string: string, into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Encodes `value`, or throws ``GaveUp`` (or the value's own error).
    static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        let state = EncodingState()
        let node = try EncodedNode.of(value, codingPath: [], state: state)
        if state.gaveUp { throw GaveUp() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        try node.write(into: &bytes)
        return Data(bytes)
    }
}

/// Whether an encoding gave up in a call that cannot throw (a container, a super encoder).
final class EncodingState {
    var gaveUp = false
}

/// A JSON value being encoded. Containers are boxes, so a nested container handed out by a
/// parent fills the parent's entry in place.
enum EncodedNode {
    /// A number, `true`, `false` or `null`, as written.
    case literal(String)
    case string(String)
    case array(ArrayBox)
    case object(ObjectBox)

    final class ArrayBox {
        var items: [EncodedNode] = []
    }

    final class ObjectBox {
        var entries: [(key: String, node: EncodedNode)] = []
    }

    /// The node `value` encodes to, through its `encode(to:)`.
    static func of<Value: Encodable>(_ value: Value, codingPath: [any CodingKey], state: EncodingState) throws -> EncodedNode {
        if RecordedJSONValue.isSpecial(Value.self) || Value.self == Double.self || Value.self == Int128.self || Value.self == UInt128.self {
            throw RecordedJSONEncoder.GaveUp()
        }
        let encoder = NodeEncoder(codingPath: codingPath, state: state)
        try value.encode(to: encoder)
        guard let node = encoder.node else { throw RecordedJSONEncoder.GaveUp() }
        return node
    }

    /// Writes the node as `JSONEncoder` with `.sortedKeys` and `.withoutEscapingSlashes` does.
    func write(into bytes: inout [UInt8]) throws {
        switch self {
        case .literal(let text):
            bytes.append(contentsOf: text.utf8)
        case .string(let text):
            Self.write(string: text, into: &bytes)
        case .array(let box):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in box.items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try item.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let box):
            var entries = box.entries
            // Keys other than ASCII: the order JSONEncoder sorts them in is its own business.
            if !entries.allSatisfy({ $0.key.utf8.allSatisfy { $0 < 0x80 } }) { throw RecordedJSONEncoder.GaveUp() }
            if !zip(entries, entries.dropFirst()).allSatisfy({ $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                entries.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                // A key written twice: JSONEncoder keeps the last one; leave that to it.
                if zip(entries, entries.dropFirst()).contains(where: { $0.key == $1.key }) { throw RecordedJSONEncoder.GaveUp() }
            }
            bytes.append(UInt8(ascii: "{"))
            for (index, entry) in entries.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.write(string: entry.key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                try entry.node.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\r`, `\t`, `\b`, `\f`
    /// or `\u00xx` (lowercase), everything else (slashes, DEL, any non-ASCII) as is.
    static func write(string: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            let short: UInt8? = switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            default: nil
            }
            if let short {
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(short)
            } else if byte < 0x20 {
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hexDigit(byte >> 4))
                bytes.append(hexDigit(byte & 0x0F))
            } else {
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The lowercase hexadecimal digit of `value` (0–15).
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}

/// The `Encoder` of one value: it makes that value's node.
final class NodeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let state: EncodingState
    /// What the value encoded, once it has.
    var node: EncodedNode?

    init(codingPath: [any CodingKey], state: EncodingState) {
        self.codingPath = codingPath
        self.state = state
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: EncodedNode.ObjectBox
        switch node {
        case .object(let existing):
            box = existing
        case nil:
            box = EncodedNode.ObjectBox()
            node = .object(box)
        default:
            state.gaveUp = true
            box = EncodedNode.ObjectBox()
        }
        return KeyedEncodingContainer(NodeKeyedContainer<Key>(box: box, codingPath: codingPath, state: state))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: EncodedNode.ArrayBox
        switch node {
        case .array(let existing):
            box = existing
        case nil:
            box = EncodedNode.ArrayBox()
            node = .array(box)
        default:
            state.gaveUp = true
            box = EncodedNode.ArrayBox()
        }
        return NodeUnkeyedContainer(box: box, codingPath: codingPath, state: state)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        if node != nil { state.gaveUp = true }
        return NodeSingleValueContainer(encoder: self)
    }
}

/// The literal text of an integer of any width.
private func literal<Integer: BinaryInteger>(_ value: Integer) -> EncodedNode { .literal(String(value)) }

/// A keyed container: entries of an object, in the order written (sorted when written out).
struct NodeKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: EncodedNode.ObjectBox
    let codingPath: [any CodingKey]
    let state: EncodingState

    private func add(_ node: EncodedNode, _ key: Key) { box.entries.append((key.stringValue, node)) }

    mutating func encodeNil(forKey key: Key) throws { add(.literal("null"), key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { add(.literal(value ? "true" : "false"), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { add(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { throw RecordedJSONEncoder.GaveUp() }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw RecordedJSONEncoder.GaveUp() }
    mutating func encode(_ value: Int, forKey key: Key) throws { add(literal(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { add(literal(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { add(literal(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { add(literal(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { add(literal(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { add(literal(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { add(literal(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { add(literal(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { add(literal(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { add(literal(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        add(try EncodedNode.of(value, codingPath: codingPath + [key], state: state), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedNode.ObjectBox()
        add(.object(nested), key)
        return KeyedEncodingContainer(NodeKeyedContainer<NestedKey>(box: nested, codingPath: codingPath + [key], state: state))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = EncodedNode.ArrayBox()
        add(.array(nested), key)
        return NodeUnkeyedContainer(box: nested, codingPath: codingPath + [key], state: state)
    }

    mutating func superEncoder() -> any Encoder { giveUp() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { giveUp() }

    private func giveUp() -> any Encoder {
        state.gaveUp = true
        return NodeEncoder(codingPath: codingPath, state: state)
    }
}

/// An unkeyed container: the items of an array.
struct NodeUnkeyedContainer: UnkeyedEncodingContainer {
    let box: EncodedNode.ArrayBox
    let codingPath: [any CodingKey]
    let state: EncodingState
    var count: Int { box.items.count }

    private struct Index: CodingKey {
        let intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    private func add(_ node: EncodedNode) { box.items.append(node) }

    mutating func encodeNil() throws { add(.literal("null")) }
    mutating func encode(_ value: Bool) throws { add(.literal(value ? "true" : "false")) }
    mutating func encode(_ value: String) throws { add(.string(value)) }
    mutating func encode(_ value: Double) throws { throw RecordedJSONEncoder.GaveUp() }
    mutating func encode(_ value: Float) throws { throw RecordedJSONEncoder.GaveUp() }
    mutating func encode(_ value: Int) throws { add(literal(value)) }
    mutating func encode(_ value: Int8) throws { add(literal(value)) }
    mutating func encode(_ value: Int16) throws { add(literal(value)) }
    mutating func encode(_ value: Int32) throws { add(literal(value)) }
    mutating func encode(_ value: Int64) throws { add(literal(value)) }
    mutating func encode(_ value: UInt) throws { add(literal(value)) }
    mutating func encode(_ value: UInt8) throws { add(literal(value)) }
    mutating func encode(_ value: UInt16) throws { add(literal(value)) }
    mutating func encode(_ value: UInt32) throws { add(literal(value)) }
    mutating func encode(_ value: UInt64) throws { add(literal(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        add(try EncodedNode.of(value, codingPath: codingPath + [Index(count)], state: state))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedNode.ObjectBox()
        let path = codingPath + [Index(count)]
        add(.object(nested))
        return KeyedEncodingContainer(NodeKeyedContainer<NestedKey>(box: nested, codingPath: path, state: state))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = EncodedNode.ArrayBox()
        let path = codingPath + [Index(count)]
        add(.array(nested))
        return NodeUnkeyedContainer(box: nested, codingPath: path, state: state)
    }

    mutating func superEncoder() -> any Encoder {
        state.gaveUp = true
        return NodeEncoder(codingPath: codingPath, state: state)
    }
}

/// A single value container: the value's node is the one value written.
struct NodeSingleValueContainer: SingleValueEncodingContainer {
    let encoder: NodeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ node: EncodedNode) {
        if encoder.node != nil { encoder.state.gaveUp = true }
        encoder.node = node
    }

    mutating func encodeNil() throws { set(.literal("null")) }
    mutating func encode(_ value: Bool) throws { set(.literal(value ? "true" : "false")) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { throw RecordedJSONEncoder.GaveUp() }
    mutating func encode(_ value: Float) throws { throw RecordedJSONEncoder.GaveUp() }
    mutating func encode(_ value: Int) throws { set(literal(value)) }
    mutating func encode(_ value: Int8) throws { set(literal(value)) }
    mutating func encode(_ value: Int16) throws { set(literal(value)) }
    mutating func encode(_ value: Int32) throws { set(literal(value)) }
    mutating func encode(_ value: Int64) throws { set(literal(value)) }
    mutating func encode(_ value: UInt) throws { set(literal(value)) }
    mutating func encode(_ value: UInt8) throws { set(literal(value)) }
    mutating func encode(_ value: UInt16) throws { set(literal(value)) }
    mutating func encode(_ value: UInt32) throws { set(literal(value)) }
    mutating func encode(_ value: UInt64) throws { set(literal(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        set(try EncodedNode.of(value, codingPath: codingPath, state: encoder.state))
    }
}
