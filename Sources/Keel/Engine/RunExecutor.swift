import Foundation

/// The threads that execute runs' code: a `TaskExecutor` every run's task prefers.
///
/// Runs' code could run on Swift's cooperative pool, but that pool has one thread per core and
/// nothing on it may block. A store whose commit blocks (SQLite's fsync) would then have to hand
/// every write to a thread of its own and back: two thread wake-ups per durable call, which
/// measured 0.1–0.3 ms per step on this project's machines, more than the commit. A run thread
/// may block, as any thread outside the cooperative pool may, so a write made from a run's code
/// is committed right here, on the run's own thread, after the code reaches its next suspension
/// point (see ``runAfterCurrentJob(_:)``), and the run goes on on the same thread: no wake-up at
/// all when a run is alone.
///
/// There is one thread per core, shared by every engine of the process. A thread that takes a job
/// while more are queued wakes an idle peer; a job a run thread enqueues wakes nobody, since that
/// thread itself picks it up next.
package final class RunExecutor: TaskExecutor, @unchecked Sendable {
    /// The executor of the process.
    package static let shared = RunExecutor(threadCount: max(2, ProcessInfo.processInfo.activeProcessorCount))

    /// Guards `jobs`, `head` and `idleThreads`; idle threads wait on it.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var idleThreads = 0

    private init(threadCount: Int) {
        for index in 0..<threadCount {
            let thread = Thread { [self] in work() }
            thread.name = "keel.run.\(index)"
            thread.start()
        }
    }

    /// Whether the calling thread is one of the run threads.
    package static var isCurrentThreadARunThread: Bool { RunThread.current != nil }

    /// The executor preference for an unstructured task that should run where its creator does:
    /// the run threads when created on one, else none. (`Task {}` does not inherit its creator's
    /// preference: from a run thread it would start on the cooperative pool, and everything it
    /// awaits would come back through a thread of that pool.)
    package static var preferenceOfCurrentThread: (any TaskExecutor)? {
        isCurrentThreadARunThread ? shared : nil
    }

    /// Runs `work` on this thread as soon as the job running now returns (its task suspended or
    /// finished), before the thread takes its next job. Returns `false`, and does nothing, when
    /// the caller is not a run's job on a run thread.
    ///
    /// `work` may block: it holds one run thread, never a cooperative one.
    package static func runAfterCurrentJob(_ work: @escaping @Sendable () -> Void) -> Bool {
        guard let thread = RunThread.current, thread.isRunningJob else { return false }
        thread.deferred.append(work)
        return true
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A run thread enqueuing (a run resumed by a commit it made) takes the job itself next.
        let fromRunThread = RunThread.current != nil
        condition.lock()
        jobs.append(job)
        let wake = idleThreads > 0 && !fromRunThread
        condition.unlock()
        if wake { condition.signal() }
    }

    private func work() {
        let thread = RunThread()
        thread.install()
        let executor = asUnownedTaskExecutor()
        while true {
            let job = nextJob()
            thread.isRunningJob = true
            job.runSynchronously(on: executor)
            thread.isRunningJob = false
            while !thread.deferred.isEmpty {
                let work = thread.deferred.removeFirst()
                wakePeerIfJobsWait()
                work()
            }
        }
    }

    /// Waits for a job and takes it, waking an idle peer when more are left.
    private func nextJob() -> UnownedJob {
        condition.lock()
        while head == jobs.count {
            idleThreads += 1
            condition.wait()
            idleThreads -= 1
        }
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 {
            jobs.removeFirst(head)
            head = 0
        }
        let wake = head < jobs.count && idleThreads > 0
        condition.unlock()
        if wake { condition.signal() }
        return job
    }

    /// Before this thread blocks in deferred work, lets an idle peer take the jobs waiting.
    private func wakePeerIfJobsWait() {
        condition.lock()
        let wake = head < jobs.count && idleThreads > 0
        condition.unlock()
        if wake { condition.signal() }
    }
}

/// The state of one run thread, reachable from code running on it.
private final class RunThread {
    /// Whether a job is running (and so will return to the loop, which runs `deferred`).
    var isRunningJob = false
    /// Work to run once the current job returns.
    var deferred: [@Sendable () -> Void] = []

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Makes this object the calling thread's (for the thread's lifetime: run threads never end).
    func install() {
        pthread_setspecific(Self.key, Unmanaged.passRetained(self).toOpaque())
    }

    /// The calling thread's state, or `nil` off the run threads.
    static var current: RunThread? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<RunThread>.fromOpaque(pointer).takeUnretainedValue()
    }
}
