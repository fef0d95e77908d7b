import { NotFoundError, TaskAssignedError, DaneTask, formatTimestamp, TRANSITIONS, TaskState, stateInfo, Page, PageRequest } from '@dane/protocol';
import { MicroBatcher } from '../micro-batcher';
import { LeaseExpiryBudget, LEASE_EXPIRED_STATE, WORKER_LOST_STATE } from '../../lifecycle/lease-expiry';
import { NEEDS_PERSON, NeedsPersonCount } from '../../lifecycle/needs-person';
import { BulkOutcome, ClaimedTask, StuckReason, StuckTask, TaskFilter, TaskRepository, TaskStats, TransitionRequest } from '../store.port';
import { documentFromRow, taskColumns, taskFromRow } from './rows';
import { PREPARED, SqlExecutor } from './sql-client';
import { FOREIGN_KEY_VIOLATION, sqlState } from './sql-errors';
import { SqlList, SqlPagingOptions, readSqlPage, sqlStateSet } from './sql-paging';
import { SqlParams } from './sql-params';
import {
  ANNOTATE_DEPENDANTS,
  CLAIM_ONE,
  CLAIM_RUNNABLE,
  CLAIM_RUNNABLE_FAIR,
  HEARTBEAT,
  NEXT_DUE,
  RELEASE_DEPENDANTS,
  WAITING_DOCUMENTS,
  CONFIRM_PUBLISHED,
  dependenciesDone,
} from './task-dispatch.sql';
import { EXPIRE_LEASES_WITHIN_BUDGET, FIND_STUCK } from './task-lease.sql';
import { SQL_SUCCESS, SQL_WAITING } from './sql-states';
import { transitionArrays, transitionParams, transitionSet } from './task-transition.sql';

const COLUMNS = taskColumns('t');
/** Documents scanned per statement when releasing dependants across the whole store. */
const RELEASE_BATCH_DOCUMENTS = 500;
const CLAIM_MESSAGE = stateInfo(TRANSITIONS.claim.to)?.defaultMessage ?? 'Queued';
const RELEASE_MESSAGE = 'Dependencies done';
const MOVED_COLUMNS = taskColumns('moved');
const RELEASED_COLUMNS = taskColumns('released');

/**
 * The requests of a transitionMany as rows (`r`, $1…$11), and their tasks locked in id order first:
 * two batches touching the same tasks (replies, dispatch settlements, another scheduler's) then wait
 * for each other instead of deadlocking.
 */
function transitionCtes(): string {
  return `WITH r AS (
      SELECT x.id, x.from_states, x.attempt, x.to_state, x.msg, x.now, x.keep_updated_at, x.not_before_set,
             x.not_before, x.retries, x.depends_on, x.ord
      FROM unnest($1::text[], $2::text[], $3::int[], $4::smallint[], $5::text[], $6::text[], $7::boolean[],
                  $8::boolean[], $9::text[], $10::text[], $11::text[])
        WITH ORDINALITY AS x(id, from_states, attempt, to_state, msg, now, keep_updated_at, not_before_set,
                             not_before, retries, depends_on, ord)
    ), locked AS MATERIALIZED (
      SELECT l.id FROM tasks AS l WHERE l.id = ANY($1::text[]) ORDER BY l.id FOR UPDATE
    )`;
}

/** The conditional update of a transitionMany (without RETURNING), over transitionCtes(). */
const MOVE = `UPDATE tasks AS t SET ${transitionSet({
  to: 'r.to_state',
  msg: 'r.msg',
  now: 'r.now',
  keepUpdatedAt: 'r.keep_updated_at',
  notBeforeSet: 'r.not_before_set',
  notBefore: 'r.not_before::timestamptz',
  retries: 'r.retries',
  dependsOn: 'CASE WHEN r.depends_on IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(r.depends_on::jsonb)) END',
})}
    FROM r
    WHERE t.id = r.id AND t.id IN (SELECT id FROM locked)
      AND t.state = ANY(string_to_array(r.from_states, ',')::smallint[])
      AND (r.attempt IS NULL OR t.attempt = r.attempt)`;

type Row = Record<string, unknown>;

/**
 * lifecycle/needs-person.ts as SQL: the ids of the tasks that need a person — manual states, parked with
 * retries spent, 412 tasks waiting for a key their document has no task of or whose task was cancelled (499),
 * and (recursively) 412 tasks waiting for a key whose task on the same document is one of them.
 * Only constants are interpolated (state codes and PARKED_UNTIL), so it takes no parameters.
 */
const NEEDS_PERSON_IDS = `WITH RECURSIVE np(id, document_id, key) AS (
      SELECT p.id, p.document_id, p.key FROM tasks AS p
      WHERE p.state IN (${sqlStateSet(NEEDS_PERSON.manualStates)})
         OR (p.state IN (${sqlStateSet(NEEDS_PERSON.parkedStates)}) AND p.not_before >= '${NEEDS_PERSON.parkedFrom.toISOString()}'::timestamptz)
         OR (p.state IN (${sqlStateSet([NEEDS_PERSON.blockedState])}) AND EXISTS (
               SELECT 1 FROM unnest(p.depends_on) AS d(key)
               WHERE NOT EXISTS (SELECT 1 FROM tasks AS s WHERE s.document_id = p.document_id AND s.key = d.key)
                  OR EXISTS (SELECT 1 FROM tasks AS c WHERE c.document_id = p.document_id AND c.key = d.key
                             AND c.state IN (${sqlStateSet([NEEDS_PERSON.cancelledState])}))))
      UNION
      SELECT w.id, w.document_id, w.key FROM tasks AS w JOIN np ON w.document_id = np.document_id AND np.key = ANY(w.depends_on)
      WHERE w.state IN (${sqlStateSet([NEEDS_PERSON.blockedState])})
    ) SELECT np.id FROM np`;

/** The statement of a task list (exported for the paging specs, which EXPLAIN it). */
export function taskList(filter: TaskFilter): SqlList {
  const params = new SqlParams();
  const conditions: string[] = [];
  if (filter.key !== undefined) conditions.push(`t.key = ${params.add(filter.key)}`);
  if (filter.states !== undefined) conditions.push(filter.states.length ? `t.state IN (${sqlStateSet(filter.states)})` : 'FALSE');
  if (filter.notStates?.length) conditions.push(`t.state NOT IN (${sqlStateSet(filter.notStates)})`);
  if (filter.documentId !== undefined) conditions.push(`t.document_id = ${params.add(filter.documentId)}`);
  if (filter.creatorId !== undefined) conditions.push(`t.creator_id = ${params.add(filter.creatorId)}`);
  if (filter.needsPerson !== undefined) conditions.push(`t.id ${filter.needsPerson ? '' : 'NOT '}IN (${NEEDS_PERSON_IDS})`);
  return { list: 'tasks', from: 'tasks AS t', alias: 't', columns: COLUMNS, conditions, params };
}

export class SqlTaskRepository implements TaskRepository {
  /** Concurrent single assignments (POST /DANE/task/) folded into one multi-row insert. */
  private readonly inserts = new MicroBatcher<DaneTask, BulkOutcome<DaneTask>>((tasks) => this.insertMany(tasks));

  constructor(
    private readonly db: SqlExecutor,
    private readonly paging: SqlPagingOptions = {},
  ) {}

  async insert(task: DaneTask): Promise<void> {
    const outcome = await this.inserts.submit(task);
    if (outcome.error) throw outcome.error;
  }

  /**
   * One INSERT … SELECT FROM unnest JOIN documents … ON CONFLICT DO NOTHING. A task not returned
   * either has no document (NotFoundError) or already exists (TaskAssignedError); the creator and
   * target type are copied from the document for the filters.
   */
  async insertMany(tasks: DaneTask[]): Promise<BulkOutcome<DaneTask>[]> {
    if (tasks.length === 0) return [];
    const inserted = new Set(await this.insertRows(tasks));
    // Repeats of an id within the batch fail too: only the first occurrence counts as inserted.
    const firstIndex = new Map<string, number>();
    tasks.forEach((t, i) => firstIndex.has(t._id) || firstIndex.set(t._id, i));
    const isInserted = (t: DaneTask, i: number) => inserted.has(t._id) && firstIndex.get(t._id) === i;
    const failedDocs = [...new Set(tasks.filter((t, i) => !isInserted(t, i)).map((t) => t.document_id))];
    const existingDocs = new Set<string>();
    if (failedDocs.length) {
      const { rows } = await this.db.query<{ id: string }>('SELECT d.id FROM documents AS d WHERE d.id = ANY($1::text[])', [failedDocs]);
      rows.forEach((r) => existingDocs.add(r.id));
    }
    return tasks.map((item, i) => {
      if (isInserted(item, i)) return { item };
      if (!existingDocs.has(item.document_id)) return { item, error: new NotFoundError(`No document with id \`${item.document_id}\` found`) };
      return { item, error: new TaskAssignedError(`Task \`${item.key}\` already assigned to document \`${item.document_id}\``) };
    });
  }

  private async insertRows(tasks: DaneTask[], attemptsLeft = 3): Promise<string[]> {
    try {
      const { rows } = await this.db.query<{ id: string }>(
        `INSERT INTO tasks (id, document_id, key, state, msg, priority, args, depends_on, attempt, created_at, updated_at, creator_id, target_type)
         SELECT x.id, d.id, x.key, x.state, x.msg, x.priority, x.args::jsonb,
                ARRAY(SELECT jsonb_array_elements_text(x.depends_on::jsonb)), x.attempt, x.created_at, x.updated_at,
                d.creator_id, d.target_type
         FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::text[], $6::smallint[], $7::text[], $8::text[],
                     $9::int[], $10::text[], $11::text[])
           WITH ORDINALITY AS x(id, document_id, key, state, msg, priority, args, depends_on, attempt, created_at, updated_at, ord)
         JOIN documents AS d ON d.id = x.document_id
         ORDER BY x.ord
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
        [
          tasks.map((t) => t._id),
          tasks.map((t) => t.document_id),
          tasks.map((t) => t.key),
          tasks.map((t) => t.state),
          tasks.map((t) => t.msg),
          tasks.map((t) => t.priority),
          tasks.map((t) => JSON.stringify(t.args ?? {})),
          tasks.map((t) => JSON.stringify(t.depends_on ?? [])),
          tasks.map((t) => t.attempt ?? 0),
          tasks.map((t) => t.created_at),
          tasks.map((t) => t.updated_at),
        ],
        PREPARED,
      );
      return rows.map((r) => r.id);
    } catch (err) {
      // A document deleted between the join and the insert: run again, it no longer joins.
      if (sqlState(err) === FOREIGN_KEY_VIOLATION && attemptsLeft > 1) return this.insertRows(tasks, attemptsLeft - 1);
      throw err;
    }
  }

  async findById(id: string): Promise<DaneTask | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM tasks AS t WHERE t.id = $1`, [id], PREPARED);
    return rows.length ? taskFromRow(rows[0]) : null;
  }

  async findByIds(ids: string[]): Promise<DaneTask[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM tasks AS t WHERE t.id = ANY($1::text[]) ORDER BY t.seq`, [ids], PREPARED);
    return rows.map(taskFromRow);
  }

  /**
   * Insertion order, by cursor (keyset) or page (OFFSET); see readSqlPage. An empty `states` list
   * matches nothing; an absent one everything. State sets are written into the statement (sorted,
   * sqlStateSet) so the planner matches them with the partial indexes of migration 5.
   */
  async list(filter: TaskFilter, page: PageRequest): Promise<Page<DaneTask>> {
    return readSqlPage(this.db, taskList(filter), page, taskFromRow, this.paging);
  }

  async countByKeyAndState(key?: string): Promise<TaskStats[]> {
    const { rows } = await this.db.query<{ key: string; state: number; count: string | number }>(
      `SELECT t.key, t.state, count(*) AS count FROM tasks AS t ${key === undefined ? '' : 'WHERE t.key = $1'}
       GROUP BY t.key, t.state ORDER BY t.key, t.state`,
      key === undefined ? [] : [key],
    );
    return rows.map((r) => ({ key: r.key, state: Number(r.state), count: Number(r.count) }));
  }

  async countNeedingPerson(key?: string): Promise<NeedsPersonCount[]> {
    const { rows } = await this.db.query<{ key: string; count: string | number }>(
      `SELECT t.key, count(*) AS count FROM tasks AS t WHERE t.id IN (${NEEDS_PERSON_IDS}) ${key === undefined ? '' : 'AND t.key = $1'}
       GROUP BY t.key ORDER BY t.key`,
      key === undefined ? [] : [key],
    );
    return rows.map((r) => ({ key: r.key, count: Number(r.count) }));
  }

  /** Its results go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM tasks WHERE id = $1', [id]);
    return rowCount > 0;
  }

  async transition(req: TransitionRequest): Promise<DaneTask | null> {
    const set = transitionSet({
      to: '$4::smallint',
      msg: '$5::text',
      now: '$6::text',
      keepUpdatedAt: '$7::boolean',
      notBeforeSet: '$8::boolean',
      notBefore: '$9::timestamptz',
      retries: '$10::text',
      dependsOn: '$11::text[]',
    });
    const { rows } = await this.db.query<Row>(
      `UPDATE tasks AS t SET ${set}
       WHERE t.id = $1 AND t.state = ANY($2::smallint[]) AND ($3::int IS NULL OR t.attempt = $3::int)
       RETURNING ${COLUMNS}`,
      [req.id, req.from, req.attempt ?? null, ...transitionParams(req, formatTimestamp())],
    );
    return rows.length ? taskFromRow(rows[0]) : null;
  }

  /** One UPDATE … FROM unnest; a request whose condition fails (or repeats an id) gets null. */
  async transitionMany(reqs: TransitionRequest[]): Promise<(DaneTask | null)[]> {
    if (reqs.length === 0) return [];
    const { rows } = await this.db.query<Row>(`${transitionCtes()} ${MOVE} RETURNING r.ord, ${COLUMNS}`, transitionArrays(reqs, formatTimestamp()), PREPARED);
    const out: (DaneTask | null)[] = reqs.map(() => null);
    for (const row of rows) out[Number(row.ord) - 1] = taskFromRow(row);
    return out;
  }

  /**
   * One statement: the transitions, then the 412 tasks of the same documents whose every dependency is
   * now 200 — counting the tasks this statement just moved to 200, which its own snapshot cannot see.
   */
  async transitionManyAndRelease(reqs: TransitionRequest[]): Promise<{ stored: (DaneTask | null)[]; released: DaneTask[] }> {
    if (reqs.length === 0) return { stored: [], released: [] };
    const params = transitionArrays(reqs, formatTimestamp());
    const n = params.length;
    const { rows } = await this.db.query<Row>(
      `${transitionCtes()},
       moved AS (${MOVE} RETURNING r.ord, ${COLUMNS}),
       ready AS (
         SELECT w.id FROM tasks AS w
         WHERE w.state = ${SQL_WAITING} AND cardinality(w.depends_on) > 0
           AND w.document_id IN (SELECT document_id FROM moved WHERE state = ${SQL_SUCCESS})
           AND w.id NOT IN (SELECT id FROM moved)
           AND ${dependenciesDone('w', 'moved')}
         ORDER BY w.seq
         FOR UPDATE OF w SKIP LOCKED
       ),
       released AS (
         UPDATE tasks AS t
         SET state = $${n + 1}::smallint, msg = $${n + 2}::text, updated_at = $${n + 3}::text, state_changed_at = now(), lease_until = NULL
         FROM ready WHERE t.id = ready.id
         RETURNING ${COLUMNS}
       )
       SELECT 'moved' AS change, ord, ${MOVED_COLUMNS} FROM moved
       UNION ALL
       SELECT 'released' AS change, NULL, ${RELEASED_COLUMNS} FROM released`,
      [...params, TRANSITIONS.release.to, RELEASE_MESSAGE, formatTimestamp()],
      PREPARED,
    );
    const stored: (DaneTask | null)[] = reqs.map(() => null);
    const released: DaneTask[] = [];
    for (const row of rows) {
      if (row.change === 'moved') stored[Number(row.ord) - 1] = taskFromRow(row);
      else released.push(taskFromRow(row));
    }
    return { stored, released };
  }

  /**
   * Mass reset. updated_at is kept (docs/protocol.md, Timestamps); as a person asked for a fresh start, the
   * auto-retry counter and back-off are cleared too.
   */
  async transitionAll(filter: { key: string; state: number }, to: number, msg: string): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE tasks AS t
       SET state = $3::smallint, msg = $4::text, retries = 0, not_before = NULL,
           state_changed_at = CASE WHEN t.state = $3::smallint THEN t.state_changed_at ELSE now() END,
           lease_until = CASE WHEN $3::smallint = $5::smallint THEN t.lease_until ELSE NULL END
       WHERE t.key = $1 AND t.state = $2::smallint`,
      [filter.key, filter.state, to, msg, TaskState.QUEUED],
    );
    return rowCount;
  }

  async claimRunnable(limit: number, leaseMs: number, maxInFlightPerKey = 0): Promise<ClaimedTask[]> {
    if (limit <= 0) return [];
    const perKey = Math.max(0, Math.floor(maxInFlightPerKey));
    const params = [limit, leaseMs, TRANSITIONS.claim.to, CLAIM_MESSAGE, formatTimestamp()];
    // Fair share only pays off when the backlog stays in the store (a per-key limit); without one the cheap claim.
    const { rows } = await this.db.query<Row>(perKey > 0 ? CLAIM_RUNNABLE_FAIR : CLAIM_RUNNABLE, perKey > 0 ? [...params, perKey] : params, PREPARED);
    return rows.map((row) => ({ task: taskFromRow(row), document: documentFromRow(row, 'doc_'), leaseUntil: row.lease_until as Date }));
  }

  async claimOne(id: string, from: readonly number[], leaseMs: number, msg: string): Promise<DaneTask | null> {
    if (from.length === 0) return null;
    const { rows } = await this.db.query<Row>(CLAIM_ONE, [id, [...from], leaseMs, TRANSITIONS.claim.to, msg, formatTimestamp()], PREPARED);
    return rows.length > 0 ? taskFromRow(rows[0]) : null;
  }

  async heartbeat(id: string, attempt: number | undefined, leaseMs: number, msg?: string): Promise<boolean> {
    const { rowCount } = await this.db.query(HEARTBEAT, [leaseMs, id, attempt ?? null, msg ?? null, formatTimestamp()], PREPARED);
    return rowCount > 0;
  }

  async confirmPublished(tasks: ReadonlyArray<{ id: string; attempt: number }>, queueLeaseMs: number): Promise<number> {
    if (tasks.length === 0) return 0;
    const { rowCount } = await this.db.query(CONFIRM_PUBLISHED, [tasks.map((t) => t.id), tasks.map((t) => t.attempt), queueLeaseMs], PREPARED);
    return rowCount;
  }

  /** One UPDATE per batch; the per-key limits travel as two parallel arrays. */
  async expireLeases(limit: number, budget?: LeaseExpiryBudget): Promise<DaneTask[]> {
    if (limit <= 0) return [];
    const perKey = Object.entries(budget?.maxRetriesPerKey ?? {}).filter(([, n]) => Number.isFinite(n));
    const { rows } = await this.db.query<Row>(
      EXPIRE_LEASES_WITHIN_BUDGET,
      [
        limit,
        perKey.map(([key]) => key.toUpperCase()),
        perKey.map(([, n]) => Math.max(0, Math.floor(n))),
        budget && Number.isFinite(budget.maxRetries) ? Math.max(0, Math.floor(budget.maxRetries)) : null,
        formatTimestamp(),
        LEASE_EXPIRED_STATE,
        WORKER_LOST_STATE,
        budget !== undefined,
      ],
      PREPARED,
    );
    return rows.map(taskFromRow);
  }

  async findStuck(olderThanMs: number, limitPerReason: number): Promise<StuckTask[]> {
    if (limitPerReason <= 0) return [];
    const { rows } = await this.db.query<Row>(FIND_STUCK, [Math.max(0, olderThanMs), limitPerReason]);
    return rows.map((row) => ({ reason: row.reason as StuckReason, task: taskFromRow(row), since: new Date(row.since as Date | string) }));
  }

  /** Without documentIds, walks the documents that have 412 tasks in bounded batches. */
  async releaseDependants(documentIds?: string[], limit?: number): Promise<DaneTask[]> {
    if (documentIds) return documentIds.length ? this.releaseIn(documentIds, limit) : [];
    const released: DaneTask[] = [];
    let after = '';
    for (;;) {
      const { rows } = await this.db.query<{ document_id: string }>(WAITING_DOCUMENTS, [after, RELEASE_BATCH_DOCUMENTS], PREPARED);
      if (rows.length === 0) break;
      const remaining = limit === undefined ? undefined : limit - released.length;
      released.push(
        ...(await this.releaseIn(
          rows.map((r) => r.document_id),
          remaining,
        )),
      );
      if (rows.length < RELEASE_BATCH_DOCUMENTS || (limit !== undefined && released.length >= limit)) break;
      after = rows[rows.length - 1].document_id;
    }
    return released;
  }

  private async releaseIn(documentIds: string[], limit?: number): Promise<DaneTask[]> {
    const { rows } = await this.db.query<Row>(RELEASE_DEPENDANTS, [documentIds, limit ?? null, TRANSITIONS.release.to, RELEASE_MESSAGE, formatTimestamp()], PREPARED);
    return rows.map(taskFromRow);
  }

  async annotateDependants(documentId: string, key: string, msg: string): Promise<number> {
    const { rowCount } = await this.db.query(ANNOTATE_DEPENDANTS, [documentId, key, msg]);
    return rowCount;
  }

  async findDependants(documentId: string, key: string): Promise<DaneTask[]> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM tasks AS t WHERE t.document_id = $1 AND $2::text = ANY(t.depends_on) ORDER BY t.seq`, [documentId, key]);
    return rows.map(taskFromRow);
  }

  async nextDueAt(): Promise<Date | null> {
    const { rows } = await this.db.query<{ due: Date | null }>(NEXT_DUE, [], PREPARED);
    return rows[0]?.due ?? null;
  }
}
