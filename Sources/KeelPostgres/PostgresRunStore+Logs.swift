import Foundation
public import Keel
import Logging
import PostgresNIO

extension PostgresRunStore {
    public func appendRunLogs(_ lines: [RunLogLine], maximumPerRun: Int) async throws {
        guard !lines.isEmpty else { return }
        try await transaction("append of run logs") { [self] connection in
            try await Self.insertLogs(lines, maximumPerRun: maximumPerRun, connection: connection, logger: logger)
        }
    }

    public func runLogs(_ id: RunID, afterSequence: Int?, limit: Int) async throws -> [RunLogLine] {
        try await query(
            "read of the logs of run '\(id)'",
            "SELECT * FROM run_log WHERE run_id = \(id.rawValue) AND sequence > \(afterSequence ?? -1) ORDER BY sequence LIMIT \(max(1, limit))"
        ).map { row in
            let stored = StoredRow(row)
            let metadata = (try? JSONDecoder().decode([String: String].self, from: Data(try stored.string("metadata").utf8))) ?? [:]
            return RunLogLine(
                runID: RunID(try stored.string("run_id")), sequence: try stored.int("sequence"),
                level: Logger.Level(rawValue: try stored.string("level")) ?? .info, message: try stored.string("message"),
                metadata: metadata, loggedAt: try stored.date("logged_at")
            )
        }
    }

    /// Inserts `lines` at each run's next sequence numbers, keeping at most `maximumPerRun` lines
    /// per run: `maximumPerRun - 1` as written, then one saying the limit was reached. Lines of
    /// unknown runs are dropped.
    static func insertLogs(_ lines: [RunLogLine], maximumPerRun: Int, connection: PostgresConnection, logger: Logger) async throws {
        guard !lines.isEmpty else { return }
        let limit = max(1, maximumPerRun)
        var byRun: [RunID: [RunLogLine]] = [:]
        var order: [RunID] = []
        for line in lines {
            if byRun[line.runID] == nil { order.append(line.runID) }
            byRun[line.runID, default: []].append(line)
        }
        for runID in order {
            // The run's row lock orders concurrent appends to its log.
            guard var pending = byRun[runID],
                !(try await connection.rows("SELECT 1 FROM run WHERE id = \(runID.rawValue) FOR UPDATE", logger: logger)).isEmpty
            else { continue }
            let next = Int(
                try await connection.rows(
                    "SELECT COALESCE(MAX(sequence) + 1, 0)::bigint FROM run_log WHERE run_id = \(runID.rawValue)", logger: logger
                ).first?.decode(Int64.self) ?? 0
            )
            let room = limit - next
            guard room > 0 else { continue }
            if pending.count > room - 1 {
                let last = pending[room - 1]
                pending = Array(pending.prefix(room - 1)) + [RunLogLine.limitReached(runID: runID, limit: limit, loggedAt: last.loggedAt)]
            }
            let sequences = pending.indices.map { Int64(next + $0) }
            let metadata = try pending.map { String(decoding: try JSONEncoder().encode($0.metadata), as: UTF8.self) }
            try await connection.rows(
                """
                INSERT INTO run_log (run_id, sequence, level, message, metadata, logged_at)
                SELECT \(runID.rawValue), * FROM unnest(\(sequences)::bigint[], \(pending.map(\.level.rawValue))::text[], \(pending.map(\.message))::text[],
                                                   \(metadata)::text[], \(pending.map(\.loggedAt.millisecondsSince1970))::bigint[])
                """,
                logger: logger
            )
        }
    }
}
