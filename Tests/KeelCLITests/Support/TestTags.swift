import Testing

extension Tag {
    /// Tests that start a real `keel dev` server and run `keel` commands against it.
    @Tag static var endToEnd: Self
    /// Tests of pure parsing and rendering, without processes.
    @Tag static var unit: Self
}
