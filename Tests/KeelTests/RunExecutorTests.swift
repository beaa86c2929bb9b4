import Foundation
@testable import Keel
@testable import KeelSQLite
import KeelTesting
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(2)))
struct RunExecutorTests {
    struct ThreadReport: TaskDefinition {
        struct Output: Codable, Sendable { var bodyOnRunThread: Bool; var stepOnRunThread: Bool }
        static let name = "thread-report"

        func run(input: Int, context: TaskContext) async throws -> Output {
            let stepOnRunThread = try await context.step("where") { RunExecutor.isCurrentThreadARunThread }
            return Output(bodyOnRunThread: RunExecutor.isCurrentThreadARunThread, stepOnRunThread: stepOnRunThread)
        }
    }

    /// On SQLite; on PostgreSQL a run's code runs on the connections' event loops unless the
    /// store is told that it blocks (`EventLoopRunExecutorTests`).
    @Test(arguments: [TestStore.sqlite])
    func aRunsCodeRunsOnARunThread(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [ThreadReport()]) { test in
            // Given a task that reports where its body and its step run
            let run = try await test.trigger(ThreadReport.self, input: 1)
            // When it completes
            let output = try await run.result()
            // Then both ran on a run thread, and a task of the cooperative pool is not one
            #expect(output.bodyOnRunThread)
            #expect(output.stepOnRunThread)
            #expect(!RunExecutor.isCurrentThreadARunThread)
        }
    }

    @Test(arguments: TestStore.allCases)
    func aTriggerFromThePoolCreatesItsRunOnARunThread(store: TestStore) async throws {
        var observed: FaultyStore?
        try await withTestEngine(store: store, tasks: [ThreadReport()], wrappingStore: { base in
            let wrapped = FaultyStore(base)
            observed = wrapped
            return wrapped
        }) { test in
            // Given a caller on Swift's cooperative pool (a test, an HTTP handler)
            #expect(!RunExecutor.isCurrentThreadARunThread)
            // When it triggers a run
            let run = try await test.trigger(ThreadReport.self, input: 1)
            _ = try await run.result()
            // Then the run's creation was made on a run thread (its commit needs no hand-off)
            #expect(observed?.createRunCallsOnRunThreads == [true])
            // And the caller is back where it was
            #expect(!RunExecutor.isCurrentThreadARunThread)
        }
    }

    @Test
    func everyJobCompletesAcrossManyTasks() async throws {
        // Given 500 tasks that prefer the run threads, each suspending many times
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<500 {
                group.addTask(executorPreference: RunExecutor.shared) {
                    var sum = 0
                    for step in 0..<20 {
                        await Task.yield()
                        try await Task.sleep(for: .microseconds(step % 3))
                        sum += RunExecutor.isCurrentThreadARunThread ? 1 : 1_000_000
                    }
                    return sum
                }
            }
            return try await group.reduce(0, +)
        }
        // Then every slice of every task ran, each on a run thread
        #expect(total == 500 * 20)
    }

    @Test
    func workAfterTheCurrentJobRunsOnTheSameThreadOnceTheJobSuspends() async throws {
        let order = Mutex<[String]>([])
        let threads = await Task(executorPreference: RunExecutor.shared) { () -> (UInt, UInt) in
            let jobThread = UInt(pthread_self())
            // Given deferred work registered by a run's job, which then suspends
            let afterThread = await withCheckedContinuation { (continuation: CheckedContinuation<UInt, Never>) in
                let registered = RunExecutor.runAfterCurrentJob {
                    order.withLock { $0.append("deferred") }
                    continuation.resume(returning: UInt(pthread_self()))
                }
                order.withLock { $0.append("job") }
                if !registered { continuation.resume(returning: 0) }
            }
            return (jobThread, afterThread)
        }.value
        // Then the work ran after the job returned, on the job's own thread
        #expect(order.withLock { $0 } == ["job", "deferred"])
        #expect(threads.0 == threads.1)
        // And off the run threads nothing is deferred
        #expect(!RunExecutor.runAfterCurrentJob {})
    }

    @Test
    func aRunThreadsWriteCommitsOnItsOwnThreadAndAPoolTasksNever() async throws {
        let store = try SQLiteStoreFixture.temporary()
        // Given a write from a run thread and a write from a task of the cooperative pool
        let fromRunThread = try await Task(executorPreference: RunExecutor.shared) {
            let caller = UInt(pthread_self())
            let committer = try await store.write { _ in UInt(pthread_self()) }
            return (caller, committer)
        }.value
        let fromPool = try await Task {
            let caller = UInt(pthread_self())
            let committer = try await store.write { _ in UInt(pthread_self()) }
            return (caller, committer)
        }.value
        // Then the run thread committed its own write, and the pool's thread was never held by one
        #expect(fromRunThread.0 == fromRunThread.1)
        #expect(fromPool.0 != fromPool.1)
    }
}
