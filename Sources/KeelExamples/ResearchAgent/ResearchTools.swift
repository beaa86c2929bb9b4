import Keel

/// The research agent's tools. These return canned text; a real agent calls a search API and
/// fetches pages here.
public struct ResearchTools: Sendable {
    /// Creates the tools.
    public init() {}

    /// Runs `call`.
    /// - Throws: ``AbortRunError`` for a tool that does not exist (retrying will not help).
    public func execute(_ call: ToolCall) async throws -> String {
        switch call.name {
        case "search": return "3 results for '\(call.argument)'."
        case "browse": return "The page at \(call.argument) explains the topic in 2,000 words."
        case "analyze": return "No anomalies in \(call.argument.count) characters of data."
        default: throw AbortRunError("unknown tool: \(call.name)")
        }
    }
}
