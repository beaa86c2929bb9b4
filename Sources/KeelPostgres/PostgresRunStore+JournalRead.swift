import Foundation
import Keel
import NIOCore
import PostgresNIO

extension PostgresRunStore {
    /// A run's journal from `fromSequence` on, read as one row of one array per column.
    ///
    /// A run's whole journal is read on every resume, so its cost is the cost of a resume. For
    /// 1,000 entries, here:
    /// - as a row per entry, 4.5–5 ms, of which the server's work was 0.5 ms: the rest was
    ///   postgres-nio's per-row cost, the row stream's hand-offs between threads and a generic
    ///   decode of ten cells per row;
    /// - as one row of arrays decoded by postgres-nio, 4–6 ms, of which 1–1.7 ms went to decoding
    ///   the arrays (a buffer slice and a generic decode per element, and NULLs aggregated as
    ///   placeholders with a mask, since its arrays may not hold NULLs) and building entries;
    /// - as one `bytea` the server concatenates, the server's work grew by half a millisecond;
    /// - as one row of arrays read with ``BinaryArrayReader``: one pass over each array's bytes.
    ///
    /// The arrays' order is the scan's; entries are put in order by their sequence here rather
    /// than by an `ORDER BY` in each aggregate.
    func readJournal(_ id: RunID, fromSequence: Int) async throws -> [JournalEntry] {
        var parameters = SQLParameters()
        let sql = """
            SELECT array_agg(sequence), array_agg(position), array_agg(kind), array_agg(name), array_agg(attempt), \
            array_agg(payload), array_agg(error), array_agg(started_at), array_agg(wake_at), array_agg(recorded_at)
            FROM journal_entry
            WHERE run_id = \(parameters.bind(id.rawValue)) AND sequence >= \(parameters.bind(Int64(fromSequence)))
            """
        let rows = try await query("read of the journal of run '\(id)'", PreparedSQL(sql: sql, parameters: parameters))
        guard let row = rows.first else { return [] }
        return try Self.journalEntries(of: id, from: row)
    }

    /// Decodes the row of arrays of `readJournal`, in order of sequence.
    private static func journalEntries(of runID: RunID, from row: PostgresRow) throws -> [JournalEntry] {
        let cells = try row.decode(
            (ByteBuffer?, ByteBuffer?, ByteBuffer?, ByteBuffer?, ByteBuffer?, ByteBuffer?, ByteBuffer?, ByteBuffer?, ByteBuffer?, ByteBuffer?).self
        )
        let what = "the journal of run '\(runID)'"
        var sequences = try BinaryArrayReader(cells.0, what: what)
        var positions = try BinaryArrayReader(cells.1, what: what)
        var kinds = try BinaryArrayReader(cells.2, what: what)
        var names = try BinaryArrayReader(cells.3, what: what)
        var attempts = try BinaryArrayReader(cells.4, what: what)
        var payloads = try BinaryArrayReader(cells.5, what: what)
        var errors = try BinaryArrayReader(cells.6, what: what)
        var startedAts = try BinaryArrayReader(cells.7, what: what)
        var wakeAts = try BinaryArrayReader(cells.8, what: what)
        var recordedAts = try BinaryArrayReader(cells.9, what: what)
        let counts = [positions, kinds, names, attempts, payloads, errors, startedAts, wakeAts, recordedAts].map(\.count)
        guard counts.allSatisfy({ $0 == sequences.count }) else {
            throw KeelError(.storeFailure, "\(what) was read as columns of different lengths (\(sequences.count) and \(counts))")
        }
        func required<Value>(_ value: Value?, _ column: String) throws -> Value {
            guard let value else { throw KeelError(.storeFailure, "\(what) has a NULL \(column)") }
            return value
        }
        var entries: [JournalEntry] = []
        entries.reserveCapacity(sequences.count)
        // Checked while reading: comparing the entries pairwise afterwards copied each one twice.
        var inOrder = true
        var previousSequence = Int.min
        for _ in 0..<sequences.count {
            let sequence = Int(try required(sequences.nextInt32(), "sequence"))
            if sequence <= previousSequence { inOrder = false }
            previousSequence = sequence
            entries.append(
                JournalEntry(
                    runID: runID, sequence: sequence,
                    position: try positions.nextInt32().map(Int.init),
                    kind: JournalEntry.Kind(rawValue: try required(kinds.nextString(), "kind")),
                    name: try required(names.nextString(), "name"),
                    attempt: Int(try required(attempts.nextInt32(), "attempt")),
                    payload: try payloads.nextData(),
                    error: try errors.nextString().flatMap(PostgresRunStore.decodeError),
                    startedAt: try startedAts.nextInt64().map(Date.init(millisecondsSince1970:)),
                    wakeAt: try wakeAts.nextInt64().map(Date.init(millisecondsSince1970:)),
                    recordedAt: Date(millisecondsSince1970: try required(recordedAts.nextInt64(), "recorded_at"))
                )
            )
        }
        if !inOrder {
            entries.sort { $0.sequence < $1.sequence }
        }
        return entries
    }
}
