/// The queue's operations on PostgreSQL as functions on the server, one per operation, replaced on
/// every start like the heads' (`<table>_enqueue`, `_claim`, `_delivered`, `_retry`, `_postpone`,
/// `_renew`). Two things come with a function that a statement sent as text does not have:
///
/// - **Prepared once per session.** PL/pgSQL keeps each statement's plan for the connection's
///   life, so a claim or an enqueue is parsed and planned once, not once per call (a claim's
///   planning alone took 0.2 to 1 ms on the server). PostgresNIO's own prepared statements need
///   their SQL as a static string, and the table's name is not one (tests use one table each).
/// - **Plans that do not depend on statistics.** A queue table's statistics are always out of
///   date: it grows from empty to a million pending calls in minutes when the chatbot API is
///   down, faster than autovacuum analyzes it. A plan made while the table was small (and kept
///   for the session, as above) scanned the whole table for each webhook's conversation (ingest
///   fell from 6,500 to 900-1,800 webhooks/s after the table was emptied and analyzed under a
///   running replica); a claim planned on stale statistics hashed every pending call to pick 64
///   (16 ms instead of 0.3 ms on 29,000 pending calls). Every queue
///   operation is an index lookup from a handful of ids or conversations, so these functions run
///   with sequential scans, bitmap scans, hash and merge joins disabled (PostgreSQL adds a cost so
///   large to a disabled plan that it takes one only when nothing else can answer): the plans are
///   index lookups and nested loops however stale the statistics. A setting on the function
///   travels with it (no session state, so it works behind a pooler in transaction mode too).
///   Plans are made again when a function is replaced (every start of a replica) or the table is
///   analyzed.
///
/// A retry and a hand-back were two statements each (two round trips, two transactions); as one
/// function each is one round trip and one transaction.
///
/// Triggers fired inside these functions run under their settings too; the heads triggers are
/// written so that nothing in them needs a hash or merge join.
extension PostgresDeliveryStore {
    /// The planner settings of every queue function (see above).
    static let indexPlans = "SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off"

    static func queueFunctions(table t: String) -> [String] {
        [
            // Calls in the order given (within a statement ids grow in the order the calls were
            // received; PostgresEnqueueBatcher keeps each conversation in one statement at a time);
            // returns the keys inserted (a key already stored is not inserted again). An empty
            // trace context is stored as NULL (a bound array carries no NULL here).
            """
            CREATE OR REPLACE FUNCTION \(t)_enqueue(p_keys TEXT[], p_channels TEXT[], p_providers TEXT[], p_conversations TEXT[],
                p_chatbots TEXT[], p_kinds TEXT[], p_envelopes BYTEA[], p_contexts TEXT[], p_times FLOAT8[])
            RETURNS SETOF TEXT LANGUAGE plpgsql \(indexPlans) AS $$
            BEGIN
                RETURN QUERY
                INSERT INTO \(t) (key, channel, provider, conversation, chatbot_id, kind, envelope, state, created_at,
                    queued_at, next_attempt_at, trace_context)
                SELECT k, ch, pr, conv, cb, kd, env, 'pending', ts, ts, ts, NULLIF(tc, '')
                FROM unnest(p_keys, p_channels, p_providers, p_conversations, p_chatbots, p_kinds, p_envelopes, p_contexts, p_times)
                    WITH ORDINALITY AS u(k, ch, pr, conv, cb, kd, env, tc, ts, n)
                ORDER BY n
                ON CONFLICT (key) DO NOTHING
                RETURNING \(t).key;
            END $$
            """,
            // Only heads are walked, in due order, and each head's call is looked up by its id: a head
            // in flight is passed over, the calls waiting behind it are never looked at. The lookup
            // is a subquery that locks (never flattened into a join), so the walk cannot become a
            // join that reads every pending call, whatever plan the statistics suggest. Locking the
            // head's call checks its state, lease and due time again as committed (the head row read
            // is the snapshot's). The heads are picked once, in a CTE: as `WHERE id IN (... LIMIT n
            // FOR UPDATE SKIP LOCKED)` the planner may run the subquery again for every row it
            // updates, each run skipping the row the last one took, so that one claim took more than
            // `limit` calls.
            """
            CREATE OR REPLACE FUNCTION \(t)_claim(p_now FLOAT8, p_until FLOAT8, p_limit BIGINT, p_excluded TEXT[])
            RETURNS SETOF \(t) LANGUAGE plpgsql \(indexPlans) AS $$
            BEGIN
                RETURN QUERY
                WITH picked AS MATERIALIZED (
                    SELECT c.id FROM \(t)_heads h
                    CROSS JOIN LATERAL (
                        SELECT x.id FROM \(t) x
                        WHERE x.id = h.id AND x.state = 'pending' AND x.next_attempt_at <= p_now
                          AND (x.lease_until IS NULL OR x.lease_until < p_now) AND x.channel <> ALL(p_excluded)
                        FOR UPDATE SKIP LOCKED) c
                    WHERE h.id IS NOT NULL AND h.due <= p_now
                    ORDER BY h.due, h.id
                    LIMIT p_limit)
                UPDATE \(t) d SET lease_until = p_until FROM picked
                WHERE d.id = picked.id
                RETURNING d.*;
            END $$
            """,
            // Many delivered calls (distinct ids) with their status and time.
            """
            CREATE OR REPLACE FUNCTION \(t)_delivered(p_ids BIGINT[], p_statuses BIGINT[], p_times FLOAT8[])
            RETURNS void LANGUAGE plpgsql \(indexPlans) AS $$
            BEGIN
                UPDATE \(t) AS d SET state = 'delivered', attempts = d.attempts + 1, lease_until = NULL, last_status = u.status,
                    last_error = NULL, delivered_at = u.ts
                FROM unnest(p_ids, p_statuses, p_times) AS u(id, status, ts)
                WHERE d.id = u.id;
            END $$
            """,
            // As in the SQLite store, the conversation's later calls move up to the head's next attempt.
            // They go first: each statement's heads trigger locks its conversations' head rows until
            // the transaction ends, so the long statement (a conversation may have thousands of calls
            // waiting) runs before any head is locked and the head's own short update comes last.
            """
            CREATE OR REPLACE FUNCTION \(t)_retry(p_id BIGINT, p_status BIGINT, p_error TEXT, p_next FLOAT8)
            RETURNS void LANGUAGE plpgsql \(indexPlans) AS $$
            BEGIN
                UPDATE \(t) SET next_attempt_at = p_next
                WHERE conversation = (SELECT conversation FROM \(t) WHERE id = p_id) AND state = 'pending' AND id > p_id
                  AND next_attempt_at < p_next;
                UPDATE \(t) SET attempts = attempts + 1, lease_until = NULL, last_status = p_status, last_error = p_error,
                    next_attempt_at = p_next
                WHERE id = p_id AND state = 'pending';
            END $$
            """,
            // The later calls of the handed-back calls' conversations, which are not due before their
            // head, then the calls handed back (the long statement first, as in retry).
            """
            CREATE OR REPLACE FUNCTION \(t)_postpone(p_ids BIGINT[], p_until FLOAT8)
            RETURNS void LANGUAGE plpgsql \(indexPlans) AS $$
            BEGIN
                UPDATE \(t) x SET next_attempt_at = p_until
                FROM (SELECT conversation, MIN(id) AS id FROM \(t) WHERE id = ANY(p_ids) GROUP BY conversation) p
                WHERE x.conversation = p.conversation AND x.state = 'pending' AND x.id > p.id AND x.next_attempt_at < p_until;
                UPDATE \(t) SET lease_until = NULL, next_attempt_at = p_until WHERE id = ANY(p_ids) AND state = 'pending';
            END $$
            """,
            """
            CREATE OR REPLACE FUNCTION \(t)_renew(p_ids BIGINT[], p_until FLOAT8)
            RETURNS void LANGUAGE plpgsql \(indexPlans) AS $$
            BEGIN
                UPDATE \(t) SET lease_until = p_until WHERE id = ANY(p_ids) AND state = 'pending';
            END $$
            """,
        ]
    }
}
