import Foundation

extension TaskContext {
    /// Triggers a child run of `task` and returns its id at once (fire and forget).
    ///
    /// The child is created in the same transaction that journals the trigger, so a replay of
    /// this run never triggers it twice. Cancelling this run cancels the child.
    @discardableResult
    public func trigger<Child: TaskDefinition>(_ task: Child.Type, input: Child.Input, options: TriggerOptions = .init()) async throws -> RunID {
        try await triggerChildren(task, inputs: [input], options: options, awaited: false).ids[0]
    }

    /// Triggers child runs of `task`, one per input, and returns their ids in input order.
    @discardableResult
    public func batchTrigger<Child: TaskDefinition>(_ task: Child.Type, inputs: [Child.Input], options: TriggerOptions = .init()) async throws -> [RunID] {
        try await triggerChildren(task, inputs: inputs, options: options, awaited: false).ids
    }

    /// Triggers a child run of `task` and waits for its output, holding no worker slot meanwhile.
    /// - Throws: ``ChildRunFailedError`` if the child fails, is cancelled or expires.
    public func triggerAndWait<Child: TaskDefinition>(_ task: Child.Type, input: Child.Input, options: TriggerOptions = .init()) async throws -> Child.Output {
        try await batchTriggerAndWait(task, inputs: [input], options: options)[0].get()
    }

    /// Triggers child runs of `task`, one per input, and waits until all have finished, holding
    /// no worker slot meanwhile.
    /// - Returns: each child's output or failure, in input order.
    public func batchTriggerAndWait<Child: TaskDefinition>(
        _ task: Child.Type, inputs: [Child.Input], options: TriggerOptions = .init()
    ) async throws -> [Result<Child.Output, ChildRunFailedError>] {
        let triggered = try await triggerChildren(task, inputs: inputs, options: options, awaited: true)
        guard let waitpointID = triggered.waitpointID else { return [] }
        let payload = try await awaitWaitpoint(.wait("children of '\(Child.name)'")) { _ in
            Waitpoint(id: waitpointID, runID: self.runID, kind: .children, pendingChildren: inputs.count, createdAt: self.clock.now())
        }
        let outcomes = try JSONCoding.decode([ChildRunOutcome].self, from: payload ?? Data("[]".utf8), what: "the outcomes of child runs")
        return try outcomes.map { outcome in
            guard outcome.status == .completed, let output = outcome.output else {
                return .failure(ChildRunFailedError(childID: outcome.id, status: outcome.status, error: outcome.error))
            }
            return .success(try JSONCoding.decode(Child.Output.self, from: Data(output.utf8), what: "the output of child run \(outcome.id)"))
        }
    }

    private func triggerChildren<Child: TaskDefinition>(
        _ task: Child.Type, inputs: [Child.Input], options: TriggerOptions, awaited: Bool
    ) async throws -> ChildrenTriggered {
        // Options are checked before the call takes a journal position: a rejected trigger
        // (caught by the task) then takes none, live or on replay, and later calls keep theirs.
        if options.idempotencyKey != nil || options.debounce != nil {
            throw KeelError(.invalidInput, "idempotencyKey and debounce do not apply to child runs: a replay never triggers a child twice")
        }
        try options.validate()
        let (position, recorded, _) = try claimPosition(for: .trigger(Child.name))
        if let recorded {
            return try JSONCoding.decode(ChildrenTriggered.self, from: recorded.payload ?? Data(), what: "the children recorded at position \(position)")
        }
        try await ensureLive()
        let now = clock.now()
        let waitpointID = awaited ? "\(runID.rawValue)/\(position)" : nil
        var newRuns: [NewRun] = []
        newRuns.reserveCapacity(inputs.count)
        for (index, input) in inputs.enumerated() {
            let data = try JSONCoding.encode(input, what: "the input of child task '\(Child.name)'")
            var run = try engine.makeNewRun(taskName: Child.name, input: data, options: options, now: now)
            run.parentID = runID
            run.parentWaitpointID = waitpointID
            run.batchIndex = index
            newRuns.append(run)
        }
        let triggered = ChildrenTriggered(ids: newRuns.map(\.id), waitpointID: waitpointID)
        let waitpoints = waitpointID.map { [Waitpoint(id: $0, runID: runID, kind: .children, pendingChildren: inputs.count, createdAt: now)] } ?? []
        try await write(
            [makeEntry(position: position, kind: .childrenTriggered, name: Child.name, payload: try JSONCoding.encode(triggered, what: "child ids"))],
            newRuns: newRuns,
            newWaitpoints: waitpoints
        )
        engine.workAvailable.notify(0)
        return triggered
    }
}
