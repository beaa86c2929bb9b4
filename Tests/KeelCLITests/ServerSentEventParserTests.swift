import Testing

@testable import KeelCLI

@Suite(.tags(.unit))
struct ServerSentEventParserTests {
    func parse(_ text: String) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return parser.consume(Array(text.utf8))
    }

    @Test func eventWithTypeDataAndID() {
        let events = parse("id: 1\nevent: run\ndata: {\"status\":\"queued\"}\n\n")
        #expect(events == [ServerSentEvent(event: "run", data: #"{"status":"queued"}"#, id: "1")])
    }

    @Test func multiLineDataIsJoinedWithLineBreaks() {
        #expect(parse("data: first\ndata: second\ndata:\ndata: fourth\n\n") == [ServerSentEvent(data: "first\nsecond\n\nfourth")])
    }

    @Test func commentsAndUnknownFieldsAreIgnored() {
        let events = parse(": keep-alive\nretry: 1000\nfoo: bar\nevent: journal\n: another comment\ndata: x\n\n:\n\n")
        #expect(events == [ServerSentEvent(event: "journal", data: "x")])
    }

    @Test func onlyOneSpaceAfterTheColonIsDropped() {
        #expect(parse("data:no space\n\ndata:  two spaces\n\n").map(\.data) == ["no space", " two spaces"])
    }

    @Test func fieldWithoutColonHasEmptyValue() {
        #expect(parse("data\n\n") == [ServerSentEvent(data: "")])
    }

    @Test func eventWithoutDataIsNotDispatchedAndTypeResets() {
        #expect(parse("event: lonely\n\ndata: next\n\n") == [ServerSentEvent(event: "message", data: "next")])
    }

    @Test func idPersistsAcrossEventsUntilChanged() {
        let events = parse("id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\nid\ndata: d\n\n")
        #expect(events.map(\.id) == ["7", "7", "8", ""])
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEndingWorks(ending: String) {
        let text = ["event: end", "data: {}", "", "data: 2", ""].joined(separator: ending) + ending
        #expect(parse(text) == [ServerSentEvent(event: "end", data: "{}"), ServerSentEvent(data: "2")])
    }

    @Test func chunksCutAnywhereGiveTheSameEvents() {
        let text = "id: 1\r\nevent: journal\r\ndata: {\"name\":\"étape ✓\"}\r\n\r\nid: 2\r\nevent: end\r\ndata: {}\r\n\r\n"
        let bytes = Array(text.utf8)
        let whole = parse(text)
        #expect(whole.count == 2)
        for size in 1...7 {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            for start in stride(from: 0, to: bytes.count, by: size) {
                events += parser.consume(bytes[start..<min(start + size, bytes.count)])
            }
            #expect(events == whole, "chunks of \(size) bytes")
        }
    }

    @Test func anUnfinishedEventIsDroppedAtTheEnd() {
        var parser = ServerSentEventParser()
        #expect(parser.consume(Array("data: complete\n\ndata: cut off".utf8)).map(\.data) == ["complete"])
        parser.finish()
        #expect(parser.consume(Array("\n\n".utf8)).isEmpty)
    }
}
