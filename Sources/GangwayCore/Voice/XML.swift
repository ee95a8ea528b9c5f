import Foundation

/// XML text escaping for the providers' XML replies.
public enum XML {
    /// `s` as XML character data or an attribute value: markup characters escaped, and the
    /// characters XML 1.0 allows nowhere, not even escaped (C0 controls but tab, LF and CR; U+FFFE,
    /// U+FFFF), left out. One of those in a chatbot's text would make the provider's parser refuse
    /// the whole reply, and the caller would hear an application error instead of the rest.
    public static func escape(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&apos;".unicodeScalars)
            case "\t", "\n", "\r": out.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { continue }
                out.append(u)
            }
        }
        return String(out)
    }
}
