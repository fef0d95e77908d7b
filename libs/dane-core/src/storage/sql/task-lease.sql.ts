import { taskColumns } from './rows';
import { SQL_DISPATCHABLE, SQL_QUEUED, SQL_SUCCESS, SQL_WAITING } from './sql-states';

/**
 * The lease sweep and the stuck-task report. Each is ONE statement. Messages are spelled as in
 * lifecycle/lease-expiry.ts (the store contract compares them).
 */

/**
 * $1 limit, $2 keys with their own limit (text[]), $3 those limits (int[]), $4 the default limit,
 * $5 updated_at, $6 state while retries are left, $7 state once they are spent, $8 whether lost workers are counted at
 * all (false: no budget, nothing is counted).
 *
 * Oldest lease first; rows another sweeper holds are passed by (SKIP LOCKED). `renewed`: a
 * worker heartbeat came during this attempt (heartbeat_at, cleared by the claim; see LeaseExpiryBudget). Only then is the expiry a
 * lost worker that counts as a retry of the key: below the limit → runnable again with retries + 1;
 * at the limit → the error state, retries unchanged, waiting for a person. Not renewed → runnable
 * again, nothing counted. not_before is cleared either way (the lease already made the task wait).
 */
export const EXPIRE_LEASES_WITHIN_BUDGET = `
  WITH expired AS (
    SELECT t.id, t.key,
           (t.heartbeat_at IS NOT NULL AND $8::boolean) AS renewed
    FROM tasks AS t
    WHERE t.state = ${SQL_QUEUED} AND t.lease_until < now()
    ORDER BY t.lease_until
    LIMIT $1
    FOR UPDATE SKIP LOCKED
  ), decided AS (
    SELECT e.id, e.renewed, COALESCE(l.lim, $4::int) AS lim
    FROM expired AS e
    LEFT JOIN unnest($2::text[], $3::int[]) AS l(key, lim) ON l.key = e.key
  )
  UPDATE tasks AS t
  SET state = CASE WHEN d.renewed AND t.retries >= d.lim THEN $7::smallint ELSE $6::smallint END,
      msg = CASE
              WHEN d.renewed AND t.retries >= d.lim
                THEN 'Worker lost (lease expired on attempt ' || t.attempt || ') — retries spent (' || d.lim || ' of ' || d.lim || ')'
              WHEN d.renewed AND t.retries < d.lim
                THEN 'Worker lost (lease expired on attempt ' || t.attempt || '); dispatching again — retry ' || (t.retries + 1) || ' of ' || d.lim
              ELSE 'Lease expired (attempt ' || t.attempt || '); dispatching again' END,
      retries = CASE WHEN d.renewed AND t.retries < d.lim THEN t.retries + 1 ELSE t.retries END,
      not_before = NULL, lease_until = NULL, heartbeat_at = NULL, updated_at = $5::text, state_changed_at = now()
  FROM decided AS d
  WHERE t.id = d.id
  RETURNING ${taskColumns('t')}`;

/** now() is the statement's start time: the same cutoff in every branch. Inline, so it is an index condition. */
const CUTOFF = `(now() - $1::double precision * interval '1 millisecond')`;

/**
 * $1 threshold in ms, $2 limit per reason. Three index-backed scans (tasks_lease,
 * tasks_dispatchable_since, tasks_waiting_since: each stops after $2 rows in their own order), as
 * one statement. See StuckReason in store.port.ts for what each reason means. The release check
 * reads the dependencies of old 412 tasks through tasks_document_key — the same work the sweep's
 * own release does every interval, here once per report.
 */
export const FIND_STUCK = `
  (SELECT 'lease_not_swept' AS reason, t.lease_until AS since, ${taskColumns('t')}
   FROM tasks AS t
   WHERE t.state = ${SQL_QUEUED} AND t.lease_until < ${CUTOFF}
   ORDER BY t.lease_until
   LIMIT $2)
  UNION ALL
  (SELECT 'not_dispatched' AS reason, GREATEST(t.state_changed_at, t.not_before) AS since, ${taskColumns('t')}
   FROM tasks AS t
   WHERE t.state IN (${SQL_DISPATCHABLE}) AND t.state_changed_at < ${CUTOFF} AND (t.not_before IS NULL OR t.not_before < ${CUTOFF})
   ORDER BY t.state_changed_at
   LIMIT $2)
  UNION ALL
  (SELECT 'release_missed' AS reason, GREATEST(t.state_changed_at, done.at) AS since, ${taskColumns('t')}
   FROM tasks AS t
   CROSS JOIN LATERAL (
     SELECT max(d.state_changed_at) AS at, count(DISTINCT d.key) AS n FROM tasks AS d
     WHERE d.document_id = t.document_id AND d.key = ANY(t.depends_on) AND d.state = ${SQL_SUCCESS}
   ) AS done
   WHERE t.state = ${SQL_WAITING} AND t.state_changed_at < ${CUTOFF} AND cardinality(t.depends_on) > 0
     AND done.n = (SELECT count(DISTINCT k) FROM unnest(t.depends_on) AS k) AND done.at < ${CUTOFF}
   ORDER BY t.state_changed_at
   LIMIT $2)`;
