import KeelCLI
import KeelExamples

/// The `keel` executable: the Keel command line, with the example tasks registered for `keel dev`.
@main
struct KeelMain {
    static func main() async {
        await KeelCLI.main(tasks: [], devTasks: ExampleTasks.all)
    }
}
