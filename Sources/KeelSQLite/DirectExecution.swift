import GRDB
import GRDBSQLite

/// Runs one of GRDB's cached statements with its values bound one by one, straight through
/// GRDB's `StatementBinding`, instead of through a `StatementArguments`.
///
/// `StatementArguments` is an array of `DatabaseValue`s built from existentials, and GRDB
/// matches it against the statement on every execution. For the statements every run pays several
/// times (a journal entry's insert, a run's insert, the check of a lease, a run's finish) that
/// bookkeeping cost more than SQLite's own work on this project's machines. Bind every parameter,
/// in order, then call ``execute()``, ``selectsARow()`` or ``firstText()``.
struct DirectExecution {
    private let statement: Statement
    private var handle: SQLiteStatement { statement.sqliteStatement }
    private var boundCount: CInt = 0

    init(_ statement: Statement) {
        self.statement = statement
        sqlite3_reset(statement.sqliteStatement)
    }

    /// Binds the next parameter to `value`, or to NULL.
    mutating func bind(_ value: (some StatementBinding)?) {
        boundCount += 1
        let code = value.map { $0.bind(to: handle, at: boundCount) } ?? sqlite3_bind_null(handle, boundCount)
        // As in GRDB: binding fails only for an index the statement does not have, a bug here.
        precondition(code == SQLITE_OK, "cannot bind parameter \(boundCount) of \(statement.sql)")
    }

    /// Runs a statement that returns no row (an insert, an update).
    func execute() throws {
        try checkEveryParameterIsBound()
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw failure(code) }
        sqlite3_reset(handle)
    }

    /// Runs a query and tells whether it returned a row (`SELECT 1 … WHERE …`).
    func selectsARow() throws -> Bool {
        defer { sqlite3_reset(handle) }
        return try stepToFirstRow()
    }

    /// Runs a query and returns the text in the first column of its first row, `nil` when it
    /// returns no row or NULL there.
    func firstText() throws -> String? {
        defer { sqlite3_reset(handle) }
        guard try stepToFirstRow(), let text = sqlite3_column_text(handle, 0) else { return nil }
        return String(cString: text)
    }

    /// Steps a query once: whether it is on a row (else it returned none).
    private func stepToFirstRow() throws -> Bool {
        try checkEveryParameterIsBound()
        let code = sqlite3_step(handle)
        guard code == SQLITE_ROW || code == SQLITE_DONE else { throw failure(code) }
        return code == SQLITE_ROW
    }

    private func checkEveryParameterIsBound() throws {
        let expected = sqlite3_bind_parameter_count(handle)
        guard boundCount == expected else {
            throw DatabaseError(message: "\(boundCount) of \(expected) parameters bound", sql: statement.sql)
        }
    }

    /// The error of a failed step, with SQLite's message; resets the statement.
    private func failure(_ code: CInt) -> DatabaseError {
        let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
        sqlite3_reset(handle)
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}
