/// What both PostgreSQL group commits (``PostgresEnqueueBatcher``, ``PostgresOutcomeBatcher``) do
/// when a shared statement failed: each waiting caller's part goes again on its own, so that one
/// bad part fails only its own caller, unless the error is one no part can cause (a timeout, a lost
/// connection): then every caller fails with it at once rather than each waiting it out again.
enum PostgresBatchFallback {
    /// - Parameters:
    ///   - batch: the callers whose shared statement failed with `error`.
    ///   - retriesAlone: whether an error may have been caused by one caller's part.
    ///   - alone: writes one caller's part on its own and resumes that caller.
    ///   - fail: resumes a caller with an error.
    static func afterFailure<Waiting>(
        of batch: [Waiting], error: any Error, retriesAlone: (any Error) -> Bool, alone: (Waiting) async throws -> Void,
        fail: (Waiting, any Error) -> Void
    ) async {
        guard batch.count > 1, retriesAlone(error) else {
            for waiting in batch { fail(waiting, error) }
            return
        }
        var lost: (any Error)?
        for waiting in batch {
            if let lost {
                fail(waiting, lost)
                continue
            }
            do {
                try await alone(waiting)
            } catch {
                if !retriesAlone(error) { lost = error }
                fail(waiting, error)
            }
        }
    }
}
