public import Keel

/// The example tasks `keel dev` registers: try Keel with them before writing a line of Swift.
public enum ExampleTasks {
    /// `demo.steps`, `demo.approval`, `demo.fanout` (with its child `demo.fanout.child`),
    /// `demo.flaky` and `research-agent`.
    public static var all: [any TaskDefinition] {
        [DemoSteps(), DemoApproval(), DemoFanout(), DemoFanoutChild(), DemoFlaky(), ResearchAgent()]
    }
}
