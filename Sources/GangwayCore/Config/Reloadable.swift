import Synchronization

/// A value that can be swapped at run time (the configuration on `POST /admin/reload`).
public final class Reloadable<Value: Sendable>: Sendable {
    private let box: Mutex<Value>

    public init(_ value: Value) { box = Mutex(value) }

    public var value: Value { box.withLock { $0 } }

    public func replace(with value: Value) { box.withLock { $0 = value } }
}
