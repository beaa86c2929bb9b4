/// A table of text for the terminal: a header row and rows, columns padded to their widest
/// cell and separated by two spaces, no trailing spaces.
///
/// ## Usage
///
/// ```swift
/// var table = TextTable(columns: ["ID", "STATUS"])
/// table.append(["r-1", "completed"])
/// print(table.rendered())
/// ```
struct TextTable: Sendable, Equatable {
    /// The header row.
    var columns: [String]
    /// The rows; a short row is padded with empty cells, extra cells are dropped.
    var rows: [[String]] = []

    /// Creates an empty table with a header row.
    init(columns: [String]) { self.columns = columns }

    /// Adds a row.
    mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as lines joined by line breaks, header first.
    func rendered() -> String {
        let all =
            [columns]
            + rows.map { row in
                (0..<columns.count).map { index in
                    index < row.count ? row[index].split(whereSeparator: \.isNewline).joined(separator: " ") : ""
                }
            }
        let widths = (0..<columns.count).map { index in all.map { $0[index].count }.max() ?? 0 }
        return all.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                if index > 0 { line += "  " }
                line += cell
                if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - cell.count) }
            }
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
