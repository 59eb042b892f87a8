import Foundation

enum FileHandleWriter {
    static func writeStderr(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
