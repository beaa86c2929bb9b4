public import KeelSQLite

extension SQLiteRunStore.Configuration {
    /// The configuration of the SQLite stores that tests open: a log of 1,000 pages instead of
    /// the default 4,000.
    ///
    /// A store writes its log's working size when it opens (about 4 MB here instead of 17; see
    /// ``SQLiteRunStore/Configuration/checkpointPages``), and a hundred test stores opening at
    /// once with the default kept every test waiting on the disk (KeelTests 10 s → 22 s).
    public static var forTests: Self { .init(checkpointPages: 1_000) }
}
