import Keel

extension KeelEngine {
    /// Every run matching `query`, following the `before` cursor page by page.
    func allRuns(_ query: RunQuery) async throws -> [RunRecord] {
        var query = query
        query.limit = 1000
        var runs: [RunRecord] = []
        while true {
            let page = try await listRuns(query)
            runs += page
            guard page.count == query.limit, let last = page.last else { return runs }
            query.before = last.id
        }
    }
}
