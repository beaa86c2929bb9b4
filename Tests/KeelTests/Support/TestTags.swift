import Testing

extension Tag {
    @Tag static var replay: Self
    @Tag static var retries: Self
    @Tag static var leases: Self
    @Tag static var crash: Self
    @Tag static var badInput: Self
}
