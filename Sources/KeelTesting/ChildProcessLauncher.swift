public import Foundation
import Synchronization

/// Starts the child processes of tests one at a time, around a Foundation bug.
///
/// Foundation's `Process.run()` on Linux (swift-corelibs-foundation before PR #5472, Swift 6.3.1
/// included) reads the open file descriptors from `/proc/self/fd` and copies each entry's whole
/// 256-byte name field, past the end of the entry. When the process has over a thousand
/// descriptors open (a whole test suite in parallel: 1,500 were counted), `readdir`'s 32 KB
/// buffer fills up, and when that buffer is the last allocation below unmapped memory the copy
/// faults: a whole-suite run crashed inside `Process.run()` in two fresh clones out of five.
///
/// So a launch first allocates and frees a block larger than that buffer on the launching
/// thread: `opendir` then takes its buffer out of that block, and what follows the buffer is
/// the rest of the block, mapped memory. Launches are serialized, so that two of them do not
/// race for the block.
public enum ChildProcessLauncher {
    private static let lock = Mutex(())

    /// Bigger than `readdir`'s buffer (32 KB) with room to spare, smaller than glibc's threshold
    /// (128 KB) above which an allocation gets a mapping of its own.
    private static let spacerBytes = 96 * 1_024

    /// Runs `process` (`Process.run()`), never at the same time as another launch through here.
    public static func run(_ process: Process) throws {
        try lock.withLock { _ in
            if let spacer = malloc(spacerBytes) {
                // Touched, so that its pages are really mapped, then given back to the heap.
                memset(spacer, 0, spacerBytes)
                free(spacer)
            }
            try process.run()
        }
    }
}
