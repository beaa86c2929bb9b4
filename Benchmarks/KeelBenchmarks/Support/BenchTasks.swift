import Foundation
import Keel

/// A small struct returned by every benchmark step, so each step encodes and journals a real
/// (if tiny) JSON payload rather than a bare number.
struct StepResult: Codable, Sendable {
    var value: Int
    var label: String
}

/// Three steps, each returning a ``StepResult``; outputs `3 * input + 6` (scenarios A and Ac).
struct ThreeSteps: TaskDefinition {
    static let name = "bench.three-steps"
    func run(input: Int, context: TaskContext) async throws -> Int {
        var total = 0
        for index in 1...3 {
            total += try await context.step("step-\(index)") { StepResult(value: input + index, label: "s\(index)") }.value
        }
        return total
    }
}

/// One step that returns its input (scenarios B, C's children).
struct OneStep: TaskDefinition {
    static let name = "bench.one-step"
    func run(input: Int, context: TaskContext) async throws -> Int {
        try await context.step("only") { StepResult(value: input, label: "one") }.value
    }
}

/// `input` steps in a row; outputs `0 + 1 + … + (input - 1)` (scenario S).
struct ManySteps: TaskDefinition {
    static let name = "bench.many-steps"
    func run(input: Int, context: TaskContext) async throws -> Int {
        var total = 0
        for index in 0..<input { total += try await context.step("step") { StepResult(value: index, label: "m") }.value }
        return total
    }
}

/// Fans out `input` ``OneStep`` children with `batchTriggerAndWait` and sums their outputs (scenario C).
struct FanOut: TaskDefinition {
    static let name = "bench.fan-out"
    func run(input: Int, context: TaskContext) async throws -> Int {
        let results = try await context.batchTriggerAndWait(OneStep.self, inputs: Array(0..<input))
        return try results.reduce(0) { $0 + (try $1.get()) }
    }
}

/// Sleeps durably for 0.1 s, then runs one step returning its input (scenario D).
struct SleepThenStep: TaskDefinition {
    static let name = "bench.sleep-then-step"
    func run(input: Int, context: TaskContext) async throws -> Int {
        try await context.sleep(for: .milliseconds(100))
        return try await context.step("after-sleep") { StepResult(value: input, label: "d") }.value
    }
}

/// Sleeps durably for an hour: a run that only costs a row while it sleeps (scenario M).
struct LongSleep: TaskDefinition {
    static let name = "bench.long-sleep"
    func run(input: Int, context: TaskContext) async throws -> Int {
        try await context.sleep(for: .seconds(3600))
        return input
    }
}

/// `input` steps, then a durable sleep long enough to suspend the run; when it wakes the body is
/// called again from the top and the steps are replayed from the journal. The replay is timed
/// from the body's first line to the last replayed step's return (scenario R).
struct ReplayProbe: TaskDefinition {
    static let name = "bench.replay-probe"
    let marks: MarkBoard

    func run(input: Int, context: TaskContext) async throws -> Int {
        let replaying = context.isReplaying
        let enteredAt = Date()
        let start = ContinuousClock.now
        var total = 0
        for index in 0..<input { total += try await context.step("step") { StepResult(value: index, label: "r") }.value }
        if replaying { marks.recordReplay(entered: enteredAt, replayed: ContinuousClock.now - start) }
        try await context.sleep(for: .milliseconds(300))
        return total
    }
}

/// Marks the instant its body starts, then returns its input (scenario T).
struct StartProbe: TaskDefinition {
    static let name = "bench.start-probe"
    let marks: MarkBoard

    func run(input: Int, context: TaskContext) async throws -> Int {
        if !context.isReplaying { marks.markStart(input) }
        return input
    }
}

/// Every benchmark task, sharing `marks`.
func benchTasks(marks: MarkBoard) -> [any TaskDefinition] {
    [ThreeSteps(), OneStep(), ManySteps(), FanOut(), SleepThenStep(), LongSleep(), ReplayProbe(marks: marks), StartProbe(marks: marks)]
}
