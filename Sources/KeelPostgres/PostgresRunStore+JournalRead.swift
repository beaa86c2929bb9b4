import Foundation
import Keel
import NIOFoundationCompat
import PostgresNIO

extension PostgresRunStore {
    /// A run's journal from `fromSequence` on, read as one row of one array per column.
    ///
    /// A run's whole journal is read on every resume. Read as a row per entry, 1,000 entries took
    /// 4.5–5 ms here, of which the server's work was 0.5 ms: the rest was postgres-nio's
    /// per-row cost, the row stream's hand-offs between threads and a generic decode of ten
    /// cells per row. One row of arrays is one message, decoded an array at a time: keel-bench's R
    /// on a durable cluster, 1,001 entries, 9.3 ms → 4.5–5.4 ms (2026-12-06).
    ///
    /// Nullable columns are aggregated with a placeholder, and `nulls` holds, per entry, one bit
    /// per nullable column that was NULL (PostgreSQL's arrays may hold NULLs; postgres-nio's
    /// array decoding may not). PostgreSQL gives `|` and `<<` one precedence: each shift is in
    /// parentheses. The arrays' order is the scan's; entries are put in order by
    /// their sequence here rather than by an `ORDER BY` in each aggregate.
    func readJournal(_ id: RunID, fromSequence: Int) async throws -> [JournalEntry] {
        var parameters = SQLParameters()
        let sql = """
            SELECT array_agg(sequence), array_agg(COALESCE(position, 0)), array_agg(kind), array_agg(name), \
            array_agg(attempt), array_agg(COALESCE(payload, ''::bytea)), array_agg(COALESCE(error, '')), \
            array_agg(COALESCE(started_at, 0)), array_agg(COALESCE(wake_at, 0)), array_agg(recorded_at), \
            array_agg((position IS NULL)::int | ((payload IS NULL)::int << 1) | ((error IS NULL)::int << 2) \
            | ((started_at IS NULL)::int << 3) | ((wake_at IS NULL)::int << 4))
            FROM journal_entry
            WHERE run_id = \(parameters.bind(id.rawValue)) AND sequence >= \(parameters.bind(Int64(fromSequence)))
            """
        let rows = try await query("read of the journal of run '\(id)'", PreparedSQL(sql: sql, parameters: parameters))
        guard let row = rows.first else { return [] }
        return try JournalColumns(row).entries(of: id)
    }
}

/// The columns of a journal read by `readJournal`, one array each, aligned by index.
private struct JournalColumns {
    var sequences: [Int32] = []
    var positions: [Int32] = []
    var kinds: [String] = []
    var names: [String] = []
    var attempts: [Int32] = []
    var payloads: [ByteBuffer] = []
    var errors: [String] = []
    var startedAts: [Int64] = []
    var wakeAts: [Int64] = []
    var recordedAts: [Int64] = []
    var nulls: [Int32] = []

    private enum Null {
        static let position: Int32 = 1
        static let payload: Int32 = 1 << 1
        static let error: Int32 = 1 << 2
        static let startedAt: Int32 = 1 << 3
        static let wakeAt: Int32 = 1 << 4
    }

    /// Decodes the row; an empty journal is a row of NULLs (`array_agg` of no rows).
    init(_ row: PostgresRow) throws {
        let decoded = try row.decode(
            ([Int32]?, [Int32]?, [String]?, [String]?, [Int32]?, [ByteBuffer]?, [String]?, [Int64]?, [Int64]?, [Int64]?, [Int32]?).self
        )
        guard let sequences = decoded.0 else { return }
        self.sequences = sequences
        positions = decoded.1 ?? []
        kinds = decoded.2 ?? []
        names = decoded.3 ?? []
        attempts = decoded.4 ?? []
        payloads = decoded.5 ?? []
        errors = decoded.6 ?? []
        startedAts = decoded.7 ?? []
        wakeAts = decoded.8 ?? []
        recordedAts = decoded.9 ?? []
        nulls = decoded.10 ?? []
        let count = sequences.count
        let counts = [
            positions.count, kinds.count, names.count, attempts.count, payloads.count, errors.count, startedAts.count,
            wakeAts.count, recordedAts.count, nulls.count,
        ]
        guard counts.allSatisfy({ $0 == count }) else {
            throw KeelError(.storeFailure, "a journal read returned columns of different lengths (\(count) and \(counts))")
        }
    }

    /// The entries of run `runID`, in order of sequence.
    func entries(of runID: RunID) -> [JournalEntry] {
        var order = Array(sequences.indices)
        if !zip(sequences, sequences.dropFirst()).allSatisfy({ $0 < $1 }) {
            order.sort { sequences[$0] < sequences[$1] }
        }
        return order.map { index in
            let nulls = nulls[index]
            func isNull(_ column: Int32) -> Bool { nulls & column != 0 }
            return JournalEntry(
                runID: runID, sequence: Int(sequences[index]), position: isNull(Null.position) ? nil : Int(positions[index]),
                kind: JournalEntry.Kind(rawValue: kinds[index]), name: names[index], attempt: Int(attempts[index]),
                payload: isNull(Null.payload) ? nil : Data(buffer: payloads[index]),
                error: isNull(Null.error) ? nil : PostgresRunStore.decodeError(errors[index]),
                startedAt: isNull(Null.startedAt) ? nil : Date(millisecondsSince1970: startedAts[index]),
                wakeAt: isNull(Null.wakeAt) ? nil : Date(millisecondsSince1970: wakeAts[index]),
                recordedAt: Date(millisecondsSince1970: recordedAts[index])
            )
        }
    }
}
