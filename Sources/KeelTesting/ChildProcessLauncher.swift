public import Foundation
import Synchronization

/// Starts the child processes of tests one at a time.
///
/// Foundation's `Process.run()` on Linux is not safe to call from several threads at once: a
/// whole-suite run crashed inside it (a bad read in its copy of the launch data) while other
/// tests were starting processes. Tests start theirs through here.
public enum ChildProcessLauncher {
    private static let lock = Mutex(())

    /// Runs `process` (`Process.run()`), never at the same time as another launch through here.
    public static func run(_ process: Process) throws {
        try lock.withLock { _ in try process.run() }
    }
}
