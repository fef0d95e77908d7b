import { documentColumns, taskColumns } from './rows';
import { SQL_DISPATCHABLE, SQL_QUEUED, SQL_SUCCESS, SQL_WAITING } from './sql-states';

/**
 * The dispatcher's statements. Each is ONE statement; the row locks of FOR UPDATE SKIP LOCKED make
 * concurrent dispatchers (other replicas) pass each other's rows by instead of taking them twice.
 */

/**
 * The end both claims share, after their `picked` (id, previous_state, previous_msg, and `carried`): `claimed`
 * sets 102, attempt + 1 and the lease ($2 lease ms, $3 new state, $4 msg, $5 updated_at); the final SELECT joins
 * the documents the task messages need, in `order`.
 */
function claimedAndDocuments(carried: string, order: string): string {
  return `claimed AS (
    UPDATE tasks AS t
    SET state = $3::smallint, msg = $4::text, attempt = t.attempt + 1,
        lease_until = now() + $2::double precision * interval '1 millisecond', heartbeat_at = NULL,
        not_before = NULL, updated_at = $5::text, state_changed_at = now()
    FROM picked AS p
    WHERE t.id = p.id AND t.id = ANY(ARRAY(SELECT p2.id FROM picked AS p2))
    RETURNING ${taskColumns('t')}, t.seq, t.lease_until, p.previous_state, p.previous_msg${carried}
  )
  SELECT c.id, c.document_id, c.key, c.previous_state AS state, c.previous_msg AS msg, c.priority, c.args,
         c.depends_on, c.attempt, c.created_at, c.updated_at, c.lease_until, ${documentColumns('d', 'doc_')}
  FROM claimed AS c
  JOIN documents AS d ON d.id = c.document_id AND d.id = ANY(ARRAY(SELECT c2.document_id FROM claimed AS c2))
  ORDER BY ${order}`;
}

/**
 * The claim without fair share (SCHEDULER.MAX_IN_FLIGHT_PER_KEY = 0, the default): every runnable task is
 * published within moments of becoming runnable, so the order of one claim decides little and the
 * cheapest order wins — priority, then oldest, straight off tasks_dispatchable.
 *
 * $1 limit, $2 lease ms, $3 new state, $4 msg, $5 updated_at. `picked` reads the state and msg
 * before the claim; the final SELECT joins the document the message needs.
 *
 * The `= ANY(ARRAY(SELECT …))` conditions repeat the joins as id lists so the planner reaches the
 * claimed tasks and their documents through their primary keys whatever the table sizes: without
 * them it hashes the whole tasks and documents tables once they are small enough to look cheap
 * (a few ms at 20k rows, growing with the store). The picked rows come off tasks_dispatchable in
 * claim order, which stops after $1 rows however many tasks are runnable.
 */
export const CLAIM_RUNNABLE = `
  WITH picked AS (
    SELECT t.id, t.state AS previous_state, t.msg AS previous_msg
    FROM tasks AS t
    WHERE t.state IN (${SQL_DISPATCHABLE}) AND (t.not_before IS NULL OR t.not_before <= now())
    ORDER BY t.priority DESC, t.seq
    LIMIT $1
    FOR UPDATE SKIP LOCKED
  ), ${claimedAndDocuments('', 'c.priority DESC, c.seq')}`;

/**
 * The claim with fair share (SCHEDULER.MAX_IN_FLIGHT_PER_KEY > 0: the backlog stays in the store, where
 * the claim's order is what the workers see). $1 limit, $2 lease ms, $3 new state, $4 msg, $5 updated_at,
 * $6 most tasks of one key in 102. Fair share (docs/architecture.md, principle 2): within a priority, the runnable tasks of
 * each (key, creator) group take turns — each group's oldest first, then each group's second, … —
 * so a creator's backlog does not hold back another creator's first tasks; a higher priority still
 * goes first and one creator's tasks keep their order (seq).
 *
 * Every step reads tasks_dispatchable_groups (priority DESC, key, creator_id, seq): `runnable_groups`
 * walks it as a loose index scan, one probe per group (at most CLAIM_GROUPS); `room` counts each
 * key's tasks in 102 on tasks_key_state, stopping at $6; `candidates` reads each group's first
 * runnable tasks in seq order (at most its key's room; $1, or OVERFETCH × $1 over the groups); `ordered`
 * takes turns and keeps each key within its room. `picked` locks the first $1 of them that are still
 * runnable, in turn order (FOR UPDATE SKIP LOCKED: concurrent dispatchers pass each other's rows by).
 *
 * The `= ANY(ARRAY(SELECT …))` conditions name the claimed ids so the planner reaches the claimed tasks
 * and their documents through their primary keys whatever the table sizes: without them it hashes the
 * whole tasks and documents tables once they are small enough to look cheap.
 */
const CLAIM_GROUPS = 128;
/**
 * Candidates per claim, as a multiple of $1: concurrent claimers read the same candidates and skip each
 * other's locked rows, so each reads more than it takes (each group at least $1, together at least this × $1).
 */
const OVERFETCH = 3;
const GROUP_ORDER = 'g.priority DESC, g.key, g.creator_id';
export const CLAIM_RUNNABLE_FAIR = `
  WITH RECURSIVE runnable_groups(priority, key, creator_id) AS (
    (SELECT g.priority, g.key, g.creator_id FROM tasks AS g
     WHERE g.state IN (${SQL_DISPATCHABLE})
     ORDER BY ${GROUP_ORDER} LIMIT 1)
    UNION ALL
    SELECT n.priority, n.key, n.creator_id FROM runnable_groups AS r CROSS JOIN LATERAL (
      (SELECT g.priority, g.key, g.creator_id FROM tasks AS g
       WHERE g.state IN (${SQL_DISPATCHABLE}) AND g.priority = r.priority AND (g.key, g.creator_id) > (r.key, r.creator_id)
       ORDER BY ${GROUP_ORDER} LIMIT 1)
      UNION ALL
      (SELECT g.priority, g.key, g.creator_id FROM tasks AS g
       WHERE g.state IN (${SQL_DISPATCHABLE}) AND g.priority < r.priority
       ORDER BY ${GROUP_ORDER} LIMIT 1)
      LIMIT 1
    ) AS n
  ), groups AS MATERIALIZED (
    SELECT rg.priority, rg.key, rg.creator_id FROM runnable_groups AS rg LIMIT ${CLAIM_GROUPS}
  ), room AS MATERIALIZED (
    SELECT k.key,
           CASE WHEN $6::int > 0
                THEN $6::int - (SELECT count(*) FROM (SELECT 1 FROM tasks AS q WHERE q.key = k.key AND q.state = ${SQL_QUEUED} LIMIT $6::int) AS q)::int
                ELSE $1::int END AS free
    FROM (SELECT DISTINCT gk.key FROM groups AS gk) AS k
  ), candidates AS (
    SELECT c.id, c.seq, g.priority, g.key, rm.free,
           row_number() OVER (PARTITION BY g.priority, g.key, g.creator_id ORDER BY c.seq) AS turn
    FROM groups AS g
    JOIN room AS rm ON rm.key = g.key AND rm.free > 0
    CROSS JOIN (SELECT count(*)::int AS n FROM groups) AS gc
    CROSS JOIN LATERAL (
      SELECT t.id, t.seq FROM tasks AS t
      WHERE t.state IN (${SQL_DISPATCHABLE}) AND t.priority = g.priority AND t.key = g.key AND t.creator_id = g.creator_id
        AND (t.not_before IS NULL OR t.not_before <= now())
      ORDER BY t.seq
      LIMIT LEAST(rm.free, GREATEST($1::int, (${OVERFETCH} * $1::int + gc.n - 1) / gc.n))
    ) AS c
  ), ordered AS (
    SELECT x.id, row_number() OVER (ORDER BY x.priority DESC, x.turn, x.seq) AS ord
    FROM (
      SELECT cd.id, cd.seq, cd.priority, cd.turn, cd.free,
             row_number() OVER (PARTITION BY cd.key ORDER BY cd.priority DESC, cd.turn, cd.seq) AS in_key
      FROM candidates AS cd
    ) AS x
    WHERE x.in_key <= x.free
    ORDER BY x.priority DESC, x.turn, x.seq
    LIMIT ${OVERFETCH} * $1::int
  ), picked AS (
    SELECT t.id, t.state AS previous_state, t.msg AS previous_msg, o.ord
    FROM tasks AS t JOIN ordered AS o ON o.id = t.id
    WHERE t.id = ANY(ARRAY(SELECT o2.id FROM ordered AS o2))
      AND t.state IN (${SQL_DISPATCHABLE}) AND (t.not_before IS NULL OR t.not_before <= now())
    ORDER BY o.ord
    LIMIT $1::int
    FOR UPDATE OF t SKIP LOCKED
  ), ${claimedAndDocuments(', p.ord', 'c.ord')}`;

/** $1 ids, $2 their attempts, $3 queue lease ms. One statement per confirmed batch. */
export const CONFIRM_PUBLISHED = `
  WITH c AS (SELECT * FROM unnest($1::text[], $2::int[]) AS c(id, attempt)),
  locked AS MATERIALIZED (
    -- A row another statement holds is being answered or heartbeated right now: it needs no queue lease,
    -- and waiting for it could deadlock with a reply batch.
    -- l.id = ANY($1): the batch's rows through tasks_pkey, whatever the planner knows of the table (without
    -- statistics, as in PGlite, which never analyzes, it scanned every queued task through tasks_lease).
    SELECT l.id FROM tasks AS l JOIN c ON l.id = c.id AND l.attempt = c.attempt
    WHERE l.id = ANY($1::text[]) AND l.state = ${SQL_QUEUED} AND l.heartbeat_at IS NULL
    ORDER BY l.id
    FOR UPDATE OF l SKIP LOCKED
  )
  UPDATE tasks AS t
  SET lease_until = now() + $3::double precision * interval '1 millisecond'
  FROM locked
  WHERE t.id = locked.id`;

/** $1 id, $2 the states it may be claimed from (smallint[]), $3 lease ms, $4 new state, $5 msg, $6 updated_at. */
export const CLAIM_ONE = `
  UPDATE tasks AS t
  SET state = $4::smallint, msg = $5::text, attempt = t.attempt + 1,
      lease_until = now() + $3::double precision * interval '1 millisecond', heartbeat_at = NULL,
      not_before = NULL, updated_at = $6::text, state_changed_at = now()
  WHERE t.id = $1 AND t.state = ANY($2::smallint[])
  RETURNING ${taskColumns('t')}`;

/** $1 lease ms, $2 id, $3 attempt or null, $4 msg or null (progress), $5 updated_at. */
export const HEARTBEAT = `
  UPDATE tasks AS t
  SET lease_until = now() + $1::double precision * interval '1 millisecond', heartbeat_at = now(),
      msg = COALESCE($4::text, t.msg),
      updated_at = CASE WHEN $4::text IS NULL THEN t.updated_at ELSE $5::text END
  WHERE t.id = $2 AND t.state = ${SQL_QUEUED} AND ($3::int IS NULL OR t.attempt = $3::int)`;

/**
 * The condition that every depends_on key of the 412 task `w` has a task of the same document in
 * 200. Inside a statement that has just moved tasks (`justMoved`: a CTE of their id, document_id,
 * key and state), its own snapshot still shows their old rows: those count by their new state.
 */
export function dependenciesDone(w: string, justMoved?: string): string {
  const moved = justMoved
    ? `NOT EXISTS (SELECT 1 FROM ${justMoved} AS m WHERE m.document_id = ${w}.document_id AND m.key = dep.key AND m.state = ${SQL_SUCCESS})
          AND `
    : '';
  const stale = justMoved ? ` AND d.id NOT IN (SELECT id FROM ${justMoved})` : '';
  return `NOT EXISTS (
        SELECT 1 FROM unnest(${w}.depends_on) AS dep(key)
        WHERE ${moved}NOT EXISTS (
          SELECT 1 FROM tasks AS d
          WHERE d.document_id = ${w}.document_id AND d.key = dep.key AND d.state = ${SQL_SUCCESS}${stale}
        )
      )`;
}

/**
 * $1 document ids, $2 limit (null = all), $3 new state, $4 msg, $5 updated_at. A 412 task is ready
 * when none of its depends_on keys lacks a task of the same document in 200.
 */
export const RELEASE_DEPENDANTS = `
  WITH ready AS (
    SELECT t.id FROM tasks AS t
    WHERE t.state = ${SQL_WAITING} AND t.document_id = ANY($1::text[]) AND cardinality(t.depends_on) > 0
      AND ${dependenciesDone('t')}
    ORDER BY t.seq
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  )
  UPDATE tasks AS t
  SET state = $3::smallint, msg = $4::text, updated_at = $5::text, state_changed_at = now(), lease_until = NULL
  FROM ready AS r
  WHERE t.id = r.id
  RETURNING ${taskColumns('t')}`;

/** $1 after this document id, $2 batch size: the next documents that have tasks waiting in 412. */
export const WAITING_DOCUMENTS = `
  SELECT DISTINCT t.document_id FROM tasks AS t
  WHERE t.state = ${SQL_WAITING} AND t.document_id > $1
  ORDER BY t.document_id
  LIMIT $2`;

/** $1 document id, $2 key, $3 msg. */
export const ANNOTATE_DEPENDANTS = `
  UPDATE tasks AS t SET msg = $3::text
  WHERE t.document_id = $1 AND t.state = ${SQL_WAITING} AND $2::text = ANY(t.depends_on)`;

export const NEXT_DUE = `
  SELECT min(t.not_before) AS due FROM tasks AS t
  WHERE t.state IN (${SQL_DISPATCHABLE}) AND t.not_before IS NOT NULL`;
