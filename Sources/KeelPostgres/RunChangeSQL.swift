import Foundation
import Keel
import NIOCore
import PostgresNIO

/// Bind parameters for SQL assembled from parts: each `bind` adds a value and returns its
/// placeholder (`$1`, `$2`, …).
struct SQLParameters {
    private(set) var bindings = PostgresBindings()
    /// The type of each parameter (`.null` for a NULL: the server infers it), for preparing the
    /// statement (see ``PreparedSQL``).
    private(set) var types: [PostgresDataType] = []

    /// Adds `value` (NULL when `nil`) and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        if let value {
            bindings.append(value)
            types.append(value.psqlType)
        } else {
            bindings.appendNull()
            types.append(.null)
        }
        return "$\(bindings.count)"
    }

    /// Adds one column of a grouped statement's input — `value` of each of `rows`, as one
    /// array (see ``NullableArray``) — and returns its placeholder.
    mutating func bindColumn<Row, Value: PostgresArrayEncodable & PostgresNonThrowingEncodable>(
        of rows: [Row], _ value: (Row) throws -> Value?
    ) rethrows -> String {
        bind(NullableArray(try rows.map(value)))
    }

    /// Adds `data` as BYTEA and returns its placeholder.
    mutating func bind(bytes data: Data?) -> String {
        bind(data.map { ByteBuffer(bytes: $0) })
    }
}

/// The `SET` lists that apply a ``RunTransition/Change`` to a run's row, in one place for the
/// one-statement commit and the transaction.
enum RunChangeSQL {
    /// The assignments of a change that only updates the row (not `.none`, and not finishing or
    /// parking the run), and whether idle workers must be woken after it.
    static func assignments(for change: RunTransition.Change, now: Int64, into parameters: inout SQLParameters) -> (set: String, wakesWorkers: Bool)? {
        switch change {
        case .none, .completed, .failed, .parked:
            return nil
        case .running:
            return ("status = 'running', wake_at = NULL, waiting_on = NULL, updated_at = \(parameters.bind(now))", false)
        case .waitingInMemory(let wakeAt):
            return ("status = 'waiting', wake_at = \(parameters.bind(wakeAt?.millisecondsSince1970))::bigint, updated_at = \(parameters.bind(now))", false)
        case .suspended(let status, let wakeAt):
            let wake = wakeAt.millisecondsSince1970
            let set = """
                status = \(parameters.bind(status.rawValue)), wake_at = \(parameters.bind(wake)), available_at = \(parameters.bind(wake)), waiting_on = NULL,
                lease_owner = NULL, lease_expires_at = NULL, updated_at = \(parameters.bind(now))
                """
            return (set, wake <= now)
        case .retrying(let attempt, let wakeAt):
            let wake = wakeAt.millisecondsSince1970
            let set = """
                status = 'waiting', attempt = \(parameters.bind(Int64(attempt))), wake_at = \(parameters.bind(wake)), available_at = \(parameters.bind(wake)),
                lease_owner = NULL, lease_expires_at = NULL, updated_at = \(parameters.bind(now))
                """
            return (set, false)
        }
    }

    /// The assignments giving a run its final (or, without `finishedAt`, parked) status.
    static func finishing(status: RunStatus, output: Data?, error: String?, finishedAt: Int64?, into parameters: inout SQLParameters) -> String {
        let finished = parameters.bind(finishedAt)
        return """
            status = \(parameters.bind(status.rawValue)), output = \(parameters.bind(bytes: output))::bytea, error = \(parameters.bind(error))::text,
            finished_at = \(finished)::bigint, updated_at = COALESCE(\(finished)::bigint, updated_at), available_at = NULL, wake_at = NULL,
            waiting_on = NULL, lease_owner = NULL, lease_expires_at = NULL
            """
    }
}
