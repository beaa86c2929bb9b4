import Foundation

/// Reads the process environment.
enum Environment {
    /// The variable `name`, unless unset or empty.
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
