import Foundation

/// The providers a gateway knows, by config name.
public struct ProviderRegistry: Sendable {
    public private(set) var descriptors: [String: ProviderDescriptor] = [:]

    public init(_ descriptors: [ProviderDescriptor]) {
        for d in descriptors { self.descriptors[d.name] = d }
    }

    public subscript(name: String) -> ProviderDescriptor? { descriptors[name] }
    public var names: [String] { descriptors.keys.sorted() }
}
