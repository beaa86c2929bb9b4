import Foundation
import Hummingbird

extension KeelRequestContext {
    /// The path parameter `name`, percent-decoded (`nightly%20report` is `nightly report`).
    /// - Throws: 400 when it is missing or its percent-encoding is broken.
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError.invalidRequest("the path parameter '\(name)' is not valid percent-encoding: '\(raw)'")
        }
        return decoded
    }
}
