/// The name of one of a channel's secrets or settings (`secrets.appSecret`,
/// `settings.toleranceSeconds`), declared once by its provider and used by the descriptor
/// (`check-config`), the adapter, `simulate` and the README check alike.
public struct ConfigKey: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { name = value }

    public var description: String { name }

    /// How far a signed timestamp may be from the receive time (providers that sign one).
    public static let toleranceSeconds: ConfigKey = "toleranceSeconds"
    /// The values `toleranceSeconds` may take: the loader refuses others, adapters never see them.
    public static let toleranceSecondsRange: ClosedRange<Double> = 1...86_400
}

extension ChannelConfiguration {
    /// The named secret's (first) value, or an empty string (the loader guarantees required ones).
    public func secret(_ key: ConfigKey) -> String { secret(key.name) }

    /// The named setting, when the channel sets it.
    public func setting(_ key: ConfigKey) -> String? { settings[key.name] }
}
