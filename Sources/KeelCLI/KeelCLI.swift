public import Keel
import ArgumentParser
import Synchronization

/// The `keel` command line, for the `keel` executable of this repository and for your own.
///
/// Your executable gets every command (`dev`, `serve`, `worker`, `trigger`, `runs`, …) with your
/// tasks registered by calling ``main(tasks:devTasks:)`` from its `@main` type:
///
/// ```swift
/// import KeelCLI
///
/// @main
/// struct MyApp {
///     static func main() async {
///         await KeelCLI.main(tasks: [ShipOrder(payments: .live), SendReceipt()])
///     }
/// }
/// ```
public enum KeelCLI {
    /// Parses the process arguments and runs the command they name, then exits.
    /// - Parameters:
    ///   - tasks: the tasks `dev`, `serve` and `worker` register.
    ///   - devTasks: tasks only `keel dev` registers beside `tasks` (examples to try things with).
    public static func main(tasks: [any TaskDefinition], devTasks: [any TaskDefinition] = []) async {
        TaskCatalog.shared.register(tasks: tasks, devTasks: devTasks)
        await KeelRootCommand.main()
    }
}

/// The tasks the executable registered, read by the commands that start an engine.
final class TaskCatalog: Sendable {
    static let shared = TaskCatalog()

    private struct Tasks {
        var tasks: [any TaskDefinition] = []
        var devTasks: [any TaskDefinition] = []
    }

    private let state = Mutex(Tasks())

    func register(tasks: [any TaskDefinition], devTasks: [any TaskDefinition]) {
        state.withLock { $0 = Tasks(tasks: tasks, devTasks: devTasks) }
    }

    /// The tasks of `keel serve` and `keel worker`.
    var tasks: [any TaskDefinition] { state.withLock { $0.tasks } }
    /// The tasks of `keel dev`: the executable's tasks and its examples.
    var devTasks: [any TaskDefinition] { state.withLock { $0.tasks + $0.devTasks } }
}
