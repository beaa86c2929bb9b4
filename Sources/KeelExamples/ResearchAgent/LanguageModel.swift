import Foundation

/// A chat message in the research agent's conversation.
public struct ChatMessage: Codable, Sendable, Hashable {
    /// Who wrote it.
    public enum Role: String, Codable, Sendable { case system, user, assistant, tool }
    /// Who wrote it.
    public var role: Role
    /// What it says.
    public var content: String

    /// Creates a message.
    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}

/// A tool call the model asks for.
public struct ToolCall: Codable, Sendable, Hashable {
    /// The tool's name: `search`, `browse` or `analyze`.
    public var name: String
    /// Its argument.
    public var argument: String

    /// Creates a tool call.
    public init(name: String, argument: String) {
        self.name = name
        self.argument = argument
    }
}

/// One reply of the model: text, and tool calls when it wants more information.
public struct ModelReply: Codable, Sendable, Hashable {
    /// The reply's text (the final summary when there are no tool calls).
    public var text: String
    /// Tools to call before asking again.
    public var toolCalls: [ToolCall]

    /// Creates a reply.
    public init(text: String, toolCalls: [ToolCall] = []) {
        self.text = text
        self.toolCalls = toolCalls
    }
}

/// A language model the research agent talks to.
public protocol LanguageModel: Sendable {
    /// Answers the conversation so far.
    func complete(system: String, messages: [ChatMessage]) async throws -> ModelReply
}

/// An offline stand-in for an LLM provider: asks to search, then to browse the first result,
/// then summarises what the tools returned. Deterministic, so the example runs anywhere.
public struct ScriptedLanguageModel: LanguageModel {
    /// Creates the model.
    public init() {}

    public func complete(system: String, messages: [ChatMessage]) async throws -> ModelReply {
        let toolResults = messages.filter { $0.role == .tool }
        let topic = messages.first { $0.role == .user }?.content.replacingOccurrences(of: "Research: ", with: "") ?? "the topic"
        switch toolResults.count {
        case 0: return ModelReply(text: "Searching first.", toolCalls: [ToolCall(name: "search", argument: topic)])
        case 1: return ModelReply(text: "Reading the top result.", toolCalls: [ToolCall(name: "browse", argument: "https://example.org/\(topic.lowercased().replacingOccurrences(of: " ", with: "-"))")])
        default:
            let findings = toolResults.map(\.content).joined(separator: " ")
            return ModelReply(text: "Summary of \(topic): \(findings)")
        }
    }
}
