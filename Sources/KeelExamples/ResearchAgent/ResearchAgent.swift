public import Keel

/// The research agent of the article Keel starts from: an LLM and tools in a loop, each LLM
/// call and each tool call a durable step. After a crash the run resumes with the same
/// messages: completed calls are replayed from the journal, not paid for again.
public struct ResearchAgent: TaskDefinition {
    /// What to research.
    public struct Input: Codable, Sendable {
        /// The topic.
        public var topic: String
        /// Creates an input.
        public init(topic: String) { self.topic = topic }
    }

    /// The agent's answer.
    public struct Output: Codable, Sendable {
        /// The model's summary.
        public var summary: String
        /// How many LLM calls it took.
        public var turns: Int
    }

    public static let name = "research-agent"
    public static let retryPolicy = RetryPolicy(maximumAttempts: 3, initialDelay: .seconds(1), backoffFactor: 2)

    let model: any LanguageModel
    let tools: ResearchTools

    /// Creates the agent with a model and its tools.
    public init(model: any LanguageModel = ScriptedLanguageModel(), tools: ResearchTools = ResearchTools()) {
        self.model = model
        self.tools = tools
    }

    public func run(input: Input, context: TaskContext) async throws -> Output {
        var messages = [ChatMessage(role: .user, content: "Research: \(input.topic)")]
        for turn in 1...10 {
            let reply = try await context.step("llm") {
                try await model.complete(system: "You are a research assistant with web access.", messages: messages)
            }
            if reply.toolCalls.isEmpty { return Output(summary: reply.text, turns: turn) }
            messages.append(ChatMessage(role: .assistant, content: reply.text))
            for call in reply.toolCalls {
                let result = try await context.step("tool.\(call.name)") { try await tools.execute(call) }
                messages.append(ChatMessage(role: .tool, content: result))
            }
        }
        throw AbortRunError("max iterations reached")
    }
}
