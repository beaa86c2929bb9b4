/// A durable call as the replay check compares it: its kind and its name.
struct DurableCall: Hashable, Sendable, CustomStringConvertible {
    enum Kind: String, Sendable {
        case step, sleep, now, uuid, random
    }

    var kind: Kind
    var name: String

    static func step(_ name: String) -> DurableCall { DurableCall(kind: .step, name: name) }
    static let sleep = DurableCall(kind: .sleep, name: "sleep")
    static let now = DurableCall(kind: .now, name: "now")
    static let uuid = DurableCall(kind: .uuid, name: "uuid")
    static let random = DurableCall(kind: .random, name: "random")

    var description: String {
        kind == .step ? "step '\(name)'" : kind.rawValue
    }
}
