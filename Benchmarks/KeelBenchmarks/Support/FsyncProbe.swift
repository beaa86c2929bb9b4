import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How many 128-byte append + `fsync` pairs the disk under `directory` completes per second,
/// measured for a fixed time on a scratch file — the same probe as the peer scripts'
/// `fsync_probe`, so a repeat can be read against the disk's state at that moment (it moves
/// several-fold when another process writes).
enum FsyncProbe {
    /// Runs the probe for `seconds` and returns fsyncs per second.
    static func measure(directory: URL, seconds: Double) throws -> Double {
        let path = directory.appendingPathComponent("fsync-probe-\(getpid()).bin").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot open \(path) for the fsync probe: \(String(cString: strerror(errno)))") }
        defer {
            close(fd)
            unlink(path)
        }
        let record = [UInt8](repeating: UInt8(ascii: "x"), count: 127) + [UInt8(ascii: "\n")]
        let start = ContinuousClock.now
        var count = 0
        while (ContinuousClock.now - start).seconds < seconds {
            let written = record.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == record.count, fsync(fd) == 0 else {
                throw BenchError("fsync probe failed on \(path): \(String(cString: strerror(errno)))")
            }
            count += 1
        }
        return Double(count) / (ContinuousClock.now - start).seconds
    }
}
