import NIOCore
import NIOPosix

/// Runs runs' code on the event loops of the store's connections, each job on the loop of the
/// thread that enqueues it (the loop where the statement it awaited was answered).
///
/// A run awaits a statement; its answer arrives on the event loop of the connection it went on,
/// and the run goes on right there: no thread is woken to take it up. Its next statement goes, when
/// one is idle, on a lent connection of the same loop (see ``ConnectionLender/borrow(on:)``), so a
/// run alone keeps to one thread. With Keel's run threads instead (see `RunExecutor`), every
/// statement was two hand-offs between threads: to the connection's loop and back.
///
/// The price is NIO's rule: code on an event loop must not block. A run whose code blocks the
/// thread (a synchronous file read, `sleep`, a semaphore) holds up every connection of that loop;
/// such runs belong on Keel's run threads (`PostgresRunStore(…, runsOnEventLoops: false)`).
final class EventLoopRunExecutor: TaskExecutor {
    /// The loop for a job enqueued off every event loop (a trigger from a request handler).
    private let fallbackLoop: @Sendable () -> any EventLoop

    init(fallbackLoop: @escaping @Sendable () -> any EventLoop) {
        self.fallbackLoop = fallbackLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? fallbackLoop()
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
