import Foundation
import Keel

/// A JSON command-line value (`--input`, `--payload`): JSON text, `@path` to read it from a
/// file, or `@-` to read it from standard input.
enum JSONArgument {
    /// Parses `text`, the value of `option`.
    ///
    /// - Parameters:
    ///   - text: the argument as typed: `{"count": 3}`, `@input.json` or `@-`.
    ///   - option: the option's name for messages, such as `--input`.
    ///   - readStandardInput: reads standard input for `@-` (replaced in tests).
    /// - Returns: the JSON value.
    /// - Throws: ``ClientError`` naming the option when the file cannot be read or the text is not JSON.
    static func parse(
        _ text: String,
        option: String,
        readStandardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }
    ) throws -> JSONValue {
        let data: Data
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            if path == "-" {
                data = readStandardInput()
            } else {
                guard !path.isEmpty else { throw ClientError("\(option) '@' needs a file path after it (@input.json)") }
                do {
                    data = try Data(contentsOf: URL(fileURLWithPath: path))
                } catch {
                    throw ClientError("\(option): cannot read '\(path)': \(reason(reading: error))")
                }
            }
        } else {
            data = Data(text.utf8)
        }
        return try decode(data, option: option)
    }

    /// Decodes `data` as one JSON value.
    static func decode(_ data: Data, option: String) throws -> JSONValue {
        guard !data.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw ClientError("\(option) is not valid JSON: it is empty")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            if let syntax = JSONSyntaxCheck.firstError(in: Array(data)) {
                throw ClientError("\(option) is not valid JSON: \(syntax)")
            }
            throw ClientError("\(option) is not valid JSON: \(APIResponse.describe(error))")
        }
    }

    /// Why a file could not be read, without Foundation's error wrapping.
    private static func reason(reading error: any Error) -> String {
        if let error = error as? CocoaError {
            switch error.code {
            case .fileReadNoSuchFile, .fileNoSuchFile: return "no such file"
            case .fileReadNoPermission: return "permission denied"
            default: break
            }
        }
        if let error = error as? POSIXError {
            switch error.code {
            case .ENOENT: return "no such file"
            case .EACCES: return "permission denied"
            case .EISDIR: return "it is a directory"
            default: break
            }
        }
        return (error as NSError).localizedDescription
    }
}
