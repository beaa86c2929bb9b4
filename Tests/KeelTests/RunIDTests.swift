import Foundation
@testable import Keel
import Testing

struct RunIDTests {
    @Test
    func idsAreVersion7UUIDsOrderedByTheirTimeAndNeverRepeated() throws {
        let start = Date(timeIntervalSince1970: 1_796_000_000.123)
        var ids: [String] = []
        for offset in 0..<2_000 {
            ids.append(RunID.make(at: start.addingTimeInterval(Double(offset / 10) / 1_000)).rawValue)
        }
        #expect(Set(ids).count == ids.count, "no id repeats")
        for id in ids {
            let uuid = try #require(UUID(uuidString: id), "\(id) is a UUID")
            #expect(id == id.lowercased())
            #expect(uuid.uuid.6 >> 4 == 7, "version 7: \(id)")
            #expect(uuid.uuid.8 >> 6 == 0b10, "RFC 9562 variant: \(id)")
        }
        // The first 48 bits are the milliseconds, so ids sort by their time.
        let millisecondsOfFirst = UInt64(start.timeIntervalSince1970 * 1_000)
        #expect(ids[0].replacingOccurrences(of: "-", with: "").prefix(12) == String(millisecondsOfFirst, radix: 16).leftPadded(to: 12))
        let times = ids.map { $0.prefix(13) }
        #expect(times == times.sorted())
        // The remaining 74 bits are random: across 2,000 ids every one of them takes both values.
        let randomBits = ids.map { id -> [Bool] in
            let bytes = withUnsafeBytes(of: UUID(uuidString: id)!.uuid) { Array($0) }
            return (6..<16).flatMap { index in (0..<8).map { bytes[index] >> $0 & 1 == 1 } }
        }
        let fixedBits: Set<Int> = [4, 5, 6, 7, 22, 23]  // the version's and the variant's
        for bit in 0..<80 where !fixedBits.contains(bit) {
            #expect(Set(randomBits.map { $0[bit] }).count == 2, "bit \(bit) of the random part varies")
        }
    }

    @Test
    func anIdSortsWithinTheTimePrefixesOfItsMillisecond() {
        // Ids of every millisecond around a boundary, against the prefixes of those milliseconds
        let base: Int64 = 1_796_000_000_999
        for made in base - 2...base + 2 {
            let id = RunID.make(at: Date(timeIntervalSince1970: (Double(made) + 0.5) / 1_000)).rawValue
            for bound in base - 2...base + 2 {
                let prefix = RunID.timePrefix(ofMilliseconds: bound)
                #expect((id >= prefix) == (made >= bound), "\(id) made at \(made) against the prefix of \(bound) (\(prefix))")
            }
        }
        #expect(RunID.timePrefix(ofMilliseconds: 0x0193_a1b2_c3d4) == "0193a1b2-c3d4")
        #expect(RunID.timePrefix(ofMilliseconds: -5) == "00000000-0000", "a time before 1970 is the smallest prefix")
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
