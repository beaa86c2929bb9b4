import Foundation
import GRDB
public import Keel
import Logging

extension SQLiteRunStore {
    public func appendRunLogs(_ lines: [RunLogLine], maximumPerRun: Int) async throws {
        guard !lines.isEmpty else { return }
        try await write { db in try Self.insertLogs(lines, maximumPerRun: maximumPerRun, db: db) }
    }

    public func runLogs(_ id: RunID, afterSequence: Int?, limit: Int) async throws -> [RunLogLine] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM run_log WHERE run_id = ? AND sequence > ? ORDER BY sequence LIMIT ?"),
                arguments: [id.rawValue, afterSequence ?? -1, max(1, limit)]
            ).map(RunLogLine.init(row:))
        }
    }

    /// Inserts `lines` at each run's next sequence numbers, keeping at most `maximumPerRun`
    /// lines per run: `maximumPerRun - 1` lines as written, then one saying the limit was
    /// reached. Lines of unknown runs are dropped.
    static func insertLogs(_ lines: [RunLogLine], maximumPerRun: Int, db: Database) throws {
        guard !lines.isEmpty else { return }
        let limit = max(1, maximumPerRun)
        var byRun: [RunID: [RunLogLine]] = [:]
        var order: [RunID] = []
        for line in lines {
            if byRun[line.runID] == nil { order.append(line.runID) }
            byRun[line.runID, default: []].append(line)
        }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO run_log (run_id, sequence, level, message, metadata, logged_at) VALUES (?, ?, ?, ?, ?, ?)"
        )
        for runID in order {
            guard var pending = byRun[runID],
                try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM run WHERE id = ?"), arguments: [runID.rawValue]) != nil
            else { continue }
            var next = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence) + 1, 0) FROM run_log WHERE run_id = ?"),
                arguments: [runID.rawValue]
            ) ?? 0
            // The last slot is for the line saying the limit was reached.
            let room = limit - next
            guard room > 0 else { continue }
            if pending.count > room - 1 {
                let last = pending[room - 1]
                pending = Array(pending.prefix(room - 1)) + [RunLogLine.limitReached(runID: runID, limit: limit, loggedAt: last.loggedAt)]
            }
            for line in pending {
                let metadata = String(decoding: try JSONEncoder().encode(line.metadata), as: UTF8.self)
                try insert.execute(arguments: [runID.rawValue, next, line.level.rawValue, line.message, metadata, line.loggedAt.millisecondsSince1970])
                next += 1
            }
        }
    }
}

extension RunLogLine {
    init(row: Row) throws {
        let metadataText: String = row["metadata"]
        let metadata = (try? JSONDecoder().decode([String: String].self, from: Data(metadataText.utf8))) ?? [:]
        self.init(
            runID: RunID(row["run_id"]), sequence: row["sequence"], level: Logger.Level(rawValue: row["level"]) ?? .info,
            message: row["message"], metadata: metadata, loggedAt: Date(millisecondsSince1970: row["logged_at"])
        )
    }
}
