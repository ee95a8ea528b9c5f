import Logging
import PostgresNIO

/// Each conversation's head (its oldest pending call, the only one that may be claimed) in a table
/// of its own, `<table>_heads`, kept by triggers in the same transaction as every change to the
/// calls, as in the SQLite store. The claim walks heads in due order and never the calls waiting
/// behind them, so a drain's end (few conversations, many calls each, every head in flight) costs
/// no more per claim than its start.
///
/// Several replicas write at once, so finding a head again races with a webhook stored into the
/// same conversation: a transaction that delivers the head and looks for the next one does not see
/// a call inserted by a transaction that has not committed yet. Every change therefore finds its
/// conversations' heads under the head row's lock:
/// 1. lock the head row of each touched conversation (creating an empty one where there is none),
///    in conversation order, the same order in every transaction, so that two never deadlock;
/// 2. then, in a new statement (a new snapshot, which sees every transaction that held the lock
///    before), find the oldest pending call again, and keep, change or delete the head row.
/// Whichever transaction takes a conversation's lock last sees every other change to it, committed
/// before it got the lock, and its own: the head it leaves is right.
///
/// The triggers are statement triggers with transition tables (one lock pass per statement, not per
/// row), except for deletes: the store deletes only delivered and dead calls, so the delete trigger
/// fires only for a pending call deleted by hand, and housekeeping's large deletes carry no table.
///
/// A gap this does not close (the claim by lowest id had it too): ids come from a sequence when a
/// row is inserted, not in commit order. A call whose statement is still running when a later call
/// of the same conversation (another replica's) commits and is claimed becomes the head when it
/// commits, and may be claimed while that later call is in flight. Replaying a dead call older than
/// a head in flight does the same. The window is one statement's time; the chatbot API's
/// idempotency keys are unaffected, but the two calls may reach it in either order.
extension PostgresDeliveryStore {
    /// The trigger functions, replaced on every start (a newer replica's functions serve every
    /// replica at once; replacing them locks no table).
    static func headsFunctions(table t: String) -> [String] {
        [
            // Steps 1 and 2 above for a set of distinct conversations. Step 2 needs a new snapshot
            // per statement, which only READ COMMITTED gives: any other isolation is refused
            // rather than left to lose calls.
            """
            CREATE OR REPLACE FUNCTION \(t)_heads_find(conversations TEXT[]) RETURNS void LANGUAGE plpgsql \(indexPlans) AS $$
            BEGIN
                IF conversations IS NULL OR cardinality(conversations) = 0 THEN RETURN; END IF;
                IF current_setting('transaction_isolation') <> 'read committed' THEN
                    RAISE EXCEPTION 'gangway needs READ COMMITTED (default_transaction_isolation is %)',
                        current_setting('transaction_isolation');
                END IF;
                INSERT INTO \(t)_heads AS h (conversation) SELECT c FROM unnest(conversations) AS c ORDER BY c
                ON CONFLICT (conversation) DO UPDATE SET id = h.id WHERE false;
                WITH found AS (
                    SELECT c AS conversation, p.id, p.next_attempt_at AS due FROM unnest(conversations) AS c
                    LEFT JOIN LATERAL (
                        SELECT d.id, d.next_attempt_at FROM \(t) d WHERE d.conversation = c AND d.state = 'pending' ORDER BY d.id LIMIT 1
                    ) p ON true
                ), gone AS (
                    DELETE FROM \(t)_heads h USING found f WHERE h.conversation = f.conversation AND f.id IS NULL
                )
                UPDATE \(t)_heads h SET id = f.id, due = f.due FROM found f
                WHERE h.conversation = f.conversation AND f.id IS NOT NULL
                  AND (h.id IS DISTINCT FROM f.id OR h.due IS DISTINCT FROM f.due);
            END $$
            """,
            """
            CREATE OR REPLACE FUNCTION \(t)_heads_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM \(t)_heads_find(ARRAY(SELECT DISTINCT conversation FROM new_rows WHERE state = 'pending'));
                RETURN NULL;
            END $$
            """,
            // A call leaves or enters the pending state, or a pending call's next attempt moves. The
            // old and new rows are grouped by id rather than joined: a join's plan would depend on
            // the planner's settings (a queue function's turn hash joins off, and a nested loop over
            // two transition tables is n x n rows) and on the first call's row counts (the plan is
            // kept for the session); a grouping is linear whatever the plan.
            """
            CREATE OR REPLACE FUNCTION \(t)_heads_updated() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM \(t)_heads_find(ARRAY(
                    SELECT DISTINCT c FROM (
                        SELECT min(conversation) AS c,
                            bool_or(is_new AND pending) AS now_pending, bool_or(NOT is_new AND pending) AS was_pending,
                            max(due) FILTER (WHERE is_new) AS now_due, max(due) FILTER (WHERE NOT is_new) AS was_due
                        FROM (
                            SELECT id, conversation, state = 'pending' AS pending, next_attempt_at AS due, true AS is_new FROM new_rows
                            UNION ALL
                            SELECT id, conversation, state = 'pending', next_attempt_at, false FROM old_rows
                        ) r
                        GROUP BY id
                    ) g
                    WHERE now_pending <> was_pending OR (now_pending AND now_due IS DISTINCT FROM was_due)));
                RETURN NULL;
            END $$
            """,
            """
            CREATE OR REPLACE FUNCTION \(t)_heads_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM \(t)_heads_find(ARRAY[OLD.conversation]);
                RETURN NULL;
            END $$
            """,
        ]
    }

    /// The heads table and the triggers, made only where missing, inside a transaction that has
    /// locked the calls' table first (`created`: the heads table did not exist, so it is filled from
    /// a still picture of the pending calls).
    static func headsTables(table t: String, created: Bool) -> [String] {
        var statements = [
            """
            CREATE TABLE IF NOT EXISTS \(t)_heads (
                conversation TEXT PRIMARY KEY,
                id BIGINT,
                due DOUBLE PRECISION
            )
            """,
            "CREATE INDEX IF NOT EXISTS \(t)_heads_due ON \(t)_heads (due, id) WHERE id IS NOT NULL",
        ]
        if created {
            statements.append(
                """
                INSERT INTO \(t)_heads (conversation, id, due)
                SELECT DISTINCT ON (conversation) conversation, id, next_attempt_at FROM \(t)
                WHERE state = 'pending' ORDER BY conversation, id
                """)
        }
        statements +=
            headsFunctions(table: t) + [
                "DROP TRIGGER IF EXISTS \(t)_heads_inserted ON \(t)",
                """
                CREATE TRIGGER \(t)_heads_inserted AFTER INSERT ON \(t) REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION \(t)_heads_inserted()
                """,
                "DROP TRIGGER IF EXISTS \(t)_heads_updated ON \(t)",
                """
                CREATE TRIGGER \(t)_heads_updated AFTER UPDATE ON \(t) REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION \(t)_heads_updated()
                """,
                "DROP TRIGGER IF EXISTS \(t)_heads_deleted ON \(t)",
                """
                CREATE TRIGGER \(t)_heads_deleted AFTER DELETE ON \(t) FOR EACH ROW WHEN (OLD.state = 'pending')
                EXECUTE FUNCTION \(t)_heads_deleted()
                """,
            ]
        return statements
    }

    /// Brings the heads up to date. When the table and its three triggers are there (every start
    /// but the first), only the functions are replaced and no table is locked. Otherwise one
    /// transaction takes the calls' table whole first (ACCESS EXCLUSIVE: taking a weaker lock and
    /// then the stronger one the DDL needs could deadlock with a claim that holds a row-share lock
    /// and waits for a row-exclusive one), makes what is missing, fills a new heads table, and
    /// commits; other replicas' statements wait that long.
    ///
    /// The due index of all pending calls (`<table>_due`) is kept although nothing of this version
    /// reads it: a replica of the previous version, still running in a rolling upgrade, claims
    /// through it.
    static func prepareHeads(_ connection: PostgresConnection, table: String, logger: Logger) async throws {
        let names = ["inserted", "updated", "deleted"].map { "\(table)_heads_\($0)" }
        let check = try await connection.query(
            """
            SELECT to_regclass(\(table + "_heads")::text) IS NOT NULL,
                (SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = to_regclass(\(table)::text) AND tgname = ANY(\(names)))
            """, logger: logger)
        var exists = false
        var complete = false
        for try await row in check {
            let (tableExists, triggers) = try row.decode((Bool, Int64).self)
            exists = tableExists
            complete = tableExists && triggers == Int64(names.count)
        }
        if complete {
            for statement in headsFunctions(table: table) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            return
        }
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE"), logger: logger)
            // What the check above found still holds: every replica's prepare() runs under the
            // same advisory lock, held here.
            for statement in headsTables(table: table, created: !exists) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
