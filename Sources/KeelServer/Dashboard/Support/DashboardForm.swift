import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A submitted HTML form (`application/x-www-form-urlencoded`), read with a size limit.
struct DashboardForm: Sendable {
    private var fields: [(name: String, value: String)]

    init(fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    /// Reads and parses the body of `request`.
    /// - Throws: ``DashboardError`` when the body is over `limit` bytes.
    static func read(_ request: Request, limit: Int) async throws -> DashboardForm {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw DashboardError(.contentTooLarge, "The form is larger than the server accepts (\(limit) bytes).")
        }
        return DashboardForm(urlEncoded: String(buffer: buffer))
    }

    /// Parses `a=1&b=two+words`.
    init(urlEncoded text: String) {
        fields = text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            guard let name = parts.first else { return nil }
            return (decode(name), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The first value of `name`.
    subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// Throws 403 unless the form (or the `X-CSRF-Token` header) carries the session's CSRF token.
    func requireCSRF(_ request: Request, context: KeelRequestContext) throws {
        guard let session = context.dashboardSession else { throw DashboardError(.unauthorized, "Log in first.") }
        let candidate = self["_csrf"] ?? request.headers[HTTPField.Name("X-CSRF-Token")!]
        guard session.sessions.checkCSRF(candidate, session: session.session) else {
            throw DashboardError(.forbidden, "This form has expired or did not come from this dashboard (missing or wrong CSRF token). Reload the page and try again.")
        }
    }
}

/// An error a dashboard page answers with, as an HTML page.
struct DashboardError: Error, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }
}
