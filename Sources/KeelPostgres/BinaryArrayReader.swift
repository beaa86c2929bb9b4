import Foundation
import Keel
import NIOCore
import NIOFoundationCompat

/// Reads a one-dimensional PostgreSQL array in the binary format, element by element, straight
/// from the cell's bytes: the elements may be NULL (postgres-nio's `Array` decoding refuses
/// them), and no buffer slice or generic decode is made per element.
///
/// The format: the number of dimensions, a flag for NULL elements, the elements' type, then per
/// dimension its length and lower bound; then per element its length (-1 for NULL) and bytes.
struct BinaryArrayReader {
    private var buffer: ByteBuffer
    /// The number of elements.
    let count: Int
    private let what: String

    /// Prepares to read `cell`, an array column; `nil` (a NULL array, as `array_agg` of no rows
    /// gives) reads as empty. `what` names the column in errors.
    /// - Throws: ``KeelError/Code/storeFailure`` for an array of more than one dimension.
    init(_ cell: ByteBuffer?, what: String) throws {
        self.what = what
        guard var buffer = cell else {
            self.buffer = ByteBuffer()
            count = 0
            return
        }
        guard let dimensions = buffer.readInteger(as: Int32.self), buffer.readInteger(as: Int32.self) != nil,
              buffer.readInteger(as: UInt32.self) != nil
        else { throw Self.malformed(what) }
        switch dimensions {
        case 0:
            count = 0
        case 1:
            guard let length = buffer.readInteger(as: Int32.self), length >= 0, buffer.readInteger(as: Int32.self) != nil else {
                throw Self.malformed(what)
            }
            count = Int(length)
        default:
            throw KeelError(.storeFailure, "\(what) was read as an array of \(dimensions) dimensions, not one")
        }
        self.buffer = buffer
    }

    /// The next element as a 32-bit integer, `nil` when NULL.
    mutating func nextInt32() throws -> Int32? {
        guard let length = try nextLength() else { return nil }
        guard length == 4, let value = buffer.readInteger(as: Int32.self) else { throw Self.malformed(what) }
        return value
    }

    /// The next element as a 64-bit integer, `nil` when NULL.
    mutating func nextInt64() throws -> Int64? {
        guard let length = try nextLength() else { return nil }
        guard length == 8, let value = buffer.readInteger(as: Int64.self) else { throw Self.malformed(what) }
        return value
    }

    /// The next element as UTF-8 text, `nil` when NULL.
    mutating func nextString() throws -> String? {
        guard let length = try nextLength() else { return nil }
        guard let value = buffer.readString(length: length) else { throw Self.malformed(what) }
        return value
    }

    /// The next element's bytes, `nil` when NULL.
    mutating func nextData() throws -> Data? {
        guard let length = try nextLength() else { return nil }
        guard let value = buffer.readData(length: length) else { throw Self.malformed(what) }
        return value
    }

    /// The next element's length, `nil` when it is NULL.
    private mutating func nextLength() throws -> Int? {
        guard let length = buffer.readInteger(as: Int32.self), length >= -1 else { throw Self.malformed(what) }
        return length == -1 ? nil : Int(length)
    }

    private static func malformed(_ what: String) -> KeelError {
        KeelError(.storeFailure, "\(what) was read as a malformed array")
    }
}
