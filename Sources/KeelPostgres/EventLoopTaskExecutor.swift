import NIOCore

/// Runs a task's jobs on a NIO event loop.
///
/// Work that only talks to a connection on that loop — writing a statement, reading its rows —
/// then runs where the connection's I/O happens: postgres-nio's promises complete and its row
/// streams ask for more without a wake-up of another thread in between.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
