/// A durable call as the replay check compares it: its kind and its name.
struct DurableCall: Hashable, Sendable, CustomStringConvertible {
    enum Kind: String, Sendable {
        case step, sleep, now, uuid, random, token, trigger, wait
    }

    var kind: Kind
    var name: String

    static func step(_ name: String) -> DurableCall { DurableCall(kind: .step, name: name) }
    static let sleep = DurableCall(kind: .sleep, name: "sleep")
    static let now = DurableCall(kind: .now, name: "now")
    static let uuid = DurableCall(kind: .uuid, name: "uuid")
    static let random = DurableCall(kind: .random, name: "random")
    static let token = DurableCall(kind: .token, name: "token")
    static func trigger(_ task: String) -> DurableCall { DurableCall(kind: .trigger, name: task) }
    static func wait(_ what: String) -> DurableCall { DurableCall(kind: .wait, name: what) }

    var description: String {
        switch kind {
        case .step: "step '\(name)'"
        case .trigger: "trigger of '\(name)'"
        case .wait: "wait for \(name)"
        case .token: "createToken"
        default: kind.rawValue
        }
    }
}
