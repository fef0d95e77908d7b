import { CampaignAction, CampaignStatus, DISPATCHABLE_STATES, MANUAL_STATES, Page, PageRequest, STATE_TABLE, TaskState, pageOfItems, taskId } from '@dane/protocol';
import { PARKED_UNTIL } from '../../lifecycle/retry-policy';
import type { CampaignItem, CampaignPreview, CampaignProgress, CampaignRecord, CampaignRepository, CampaignSelection, NewCampaign } from '../campaign.port';
import { SqlClient } from './sql-client';
import { SqlParams, whereClause } from './sql-params';
import { sqlCodes } from './sql-states';
import { wildcardToLike } from './wildcard';

/** The cancelled state(s) of the state table (docs/protocol.md, Cancellation). */
const CANCELLED_STATES = STATE_TABLE.filter((s) => /CANCEL/.test(s.name)).map((s) => s.code);
const SQL_MANUAL = sqlCodes(MANUAL_STATES);
const SQL_PARKABLE = sqlCodes(DISPATCHABLE_STATES);
const SQL_DONE = sqlCodes([TaskState.SUCCESS]);
const SQL_RUNNING = sqlCodes([TaskState.QUEUED]);
/** rerun without `states`: every task not in flight and not cancelled. */
const RERUN_DEFAULT_STATES = STATE_TABLE.map((s) => s.code).filter((c) => c !== TaskState.QUEUED && !CANCELLED_STATES.includes(c));

/**
 * The selection as one SELECT of `(document_id, state, ord)`: for assign the documents without a task of the key,
 * for rerun the documents' tasks of the key; `ord` is insertion order. Every condition is a bound value. (Task ids
 * are made in TypeScript, model/ids.ts: not every PostgreSQL build has sha1().)
 */
function selectionQuery(action: CampaignAction, s: CampaignSelection, params: SqlParams): string {
  const key = params.add(s.key);
  const conditions: string[] = [];
  const match = (column: string, pattern: string | undefined) => {
    const like = wildcardToLike(pattern);
    if (like === null || pattern === undefined) return;
    if (/[*?]/.test(pattern)) conditions.push(`${column} LIKE ${params.add(like)} ESCAPE '\\'`);
    else conditions.push(`${column} = ${params.add(pattern)}`);
  };
  if (action === 'assign') {
    match('d.creator_id', s.creatorId);
    match('d.target_id', s.targetId);
    if (s.documentIds) conditions.push(`d.id = ANY(${params.add(s.documentIds)}::text[])`);
    conditions.push(`NOT EXISTS (SELECT 1 FROM tasks t WHERE t.document_id = d.id AND t.key = ${key})`);
    return `SELECT d.id AS document_id, NULL::smallint AS state, d.seq AS ord FROM documents d ${whereClause(conditions)}`;
  }
  conditions.push(`t.key = ${key}`);
  match('t.creator_id', s.creatorId);
  const joinDocuments = wildcardToLike(s.targetId) !== null;
  match('d.target_id', s.targetId);
  if (s.documentIds) conditions.push(`t.document_id = ANY(${params.add(s.documentIds)}::text[])`);
  conditions.push(`t.state = ANY(${params.add(s.states ?? RERUN_DEFAULT_STATES)}::smallint[])`);
  const g = s.generator;
  if (g) {
    const r: string[] = ['r.task_id = t.id'];
    if (g.name !== undefined) r.push(`r.generator_name = ${params.add(g.name.toUpperCase())}`);
    if (g.version !== undefined) r.push(`r.generator->>'version' = ${params.add(g.version)}`);
    if (g.versionBelow !== undefined) {
      // Dotted numbers compared as numeric arrays ({1,10} > {1,9}); a missing or non-numeric version is 0, older than any.
      r.push(
        `string_to_array(coalesce(substring(r.generator->>'version' from '^[0-9]+(?:\\.[0-9]+)*'), '0'), '.')::numeric[] < string_to_array(${params.add(g.versionBelow)}, '.')::numeric[]`,
      );
    }
    conditions.push(`EXISTS (SELECT 1 FROM results r WHERE ${r.join(' AND ')})`);
  }
  const from = joinDocuments ? 'tasks t JOIN documents d ON d.id = t.document_id' : 'tasks t';
  return `SELECT t.document_id, t.state, t.seq AS ord FROM ${from} ${whereClause(conditions)}`;
}

interface CampaignRow {
  id: string;
  name: string | null;
  action: CampaignAction;
  selection: CampaignSelection;
  max_in_flight: number;
  priority: number;
  args: Record<string, unknown>;
  status: CampaignStatus;
  matched: number | string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

function toRecord(r: CampaignRow): CampaignRecord {
  return {
    id: r.id,
    name: r.name,
    action: r.action,
    selection: r.selection,
    maxInFlight: Number(r.max_in_flight),
    priority: Number(r.priority),
    args: r.args ?? {},
    status: r.status,
    matched: Number(r.matched),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

const COLUMNS = 'id, name, action, selection, max_in_flight, priority, args, status, matched, created_at, updated_at, finished_at';

/** The wall-clock text of timestamps (docs/protocol.md, Timestamps), made by the database. */
const SQL_NOW_TEXT = `to_char(localtimestamp, 'YYYY-MM-DD"T"HH24:MI:SS')`;

const FINAL: readonly CampaignStatus[] = ['cancelled', 'done'];

function toItem(key: string) {
  return (r: { seq: number | string; document_id: string }): CampaignItem => ({ seq: Number(r.seq), documentId: r.document_id, taskId: taskId(r.document_id, key) });
}

/** The items of campaign $1 with their task (none yet for an assign item not fed): the task of the campaign's key on the item's document. */
const ITEMS_WITH_TASKS = `campaign_items i JOIN campaigns c ON c.id = i.campaign_id LEFT JOIN tasks t ON t.document_id = i.document_id AND t.key = c.key`;

/** Campaigns in the SQL stores (tables of migration 6). */
export class SqlCampaignRepository implements CampaignRepository {
  constructor(private readonly db: SqlClient) {}

  async preview(action: CampaignAction, selection: CampaignSelection, sampleSize: number): Promise<CampaignPreview> {
    const params = new SqlParams();
    const select = selectionQuery(action, selection, params);
    const { rows: counts } = await this.db.query<{ state: number | null; n: string }>(`SELECT s.state, count(*) AS n FROM (${select}) s GROUP BY s.state`, params.values);
    const { rows: sample } = await this.db.query<{ document_id: string; state: number | null }>(
      `SELECT s.document_id, s.state FROM (${select}) s ORDER BY s.ord LIMIT ${Math.max(0, Math.trunc(sampleSize))}`,
      params.values,
    );
    const byState: Record<string, number> = {};
    let matched = 0;
    for (const c of counts) {
      matched += Number(c.n);
      if (c.state !== null) byState[String(c.state)] = Number(c.n);
    }
    return {
      matched,
      byState,
      sample: sample.map((r) => ({ document_id: r.document_id, task_id: taskId(r.document_id, selection.key), state: r.state === null ? null : Number(r.state) })),
    };
  }

  create(c: NewCampaign): Promise<CampaignRecord> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO campaigns (id, name, action, key, selection, max_in_flight, priority, args, status, matched, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'running', 0, $9, $9)`,
        [c.id, c.name, c.action, c.selection.key, JSON.stringify(c.selection), c.maxInFlight, c.priority, JSON.stringify(c.args), c.createdAt],
      );
      const params = new SqlParams();
      params.add(c.id);
      const select = selectionQuery(c.action, c.selection, params);
      const { rowCount } = await tx.query(
        `INSERT INTO campaign_items (campaign_id, seq, document_id)
         SELECT $1, row_number() OVER (ORDER BY s.ord), s.document_id FROM (${select}) s`,
        params.values,
      );
      const { rows } = await tx.query<CampaignRow>(`UPDATE campaigns SET matched = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [c.id, rowCount]);
      return toRecord(rows[0]);
    });
  }

  async findById(id: string): Promise<CampaignRecord | null> {
    const { rows } = await this.db.query<CampaignRow>(`SELECT ${COLUMNS} FROM campaigns WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(page: PageRequest): Promise<Page<CampaignRecord>> {
    const size = Math.max(1, Math.trunc(page.size));
    const offset = (Math.max(1, Math.trunc(page.page)) - 1) * size;
    const { rows } = await this.db.query<CampaignRow>(`SELECT ${COLUMNS} FROM campaigns ORDER BY seq DESC LIMIT $1 OFFSET $2`, [size, offset]);
    const { rows: total } = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM campaigns');
    return pageOfItems(rows.map(toRecord), page, Number(total[0].n));
  }

  async setStatus(id: string, from: readonly CampaignStatus[], to: CampaignStatus): Promise<CampaignRecord | null> {
    const { rows } = await this.db.query<CampaignRow>(
      `UPDATE campaigns SET status = $3, updated_at = ${SQL_NOW_TEXT},
         finished_at = CASE WHEN $3 = ANY($4::text[]) THEN ${SQL_NOW_TEXT} ELSE NULL END
       WHERE id = $1 AND status = ANY($2::text[]) RETURNING ${COLUMNS}`,
      [id, [...from], to, [...FINAL]],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async progress(id: string): Promise<CampaignProgress> {
    const fed = 'i.phase = 2';
    const failed = `t.id IS NULL OR t.state IN (${SQL_MANUAL}) OR (t.state IN (${SQL_PARKABLE}) AND t.not_before >= '${PARKED_UNTIL.toISOString()}'::timestamptz)`;
    const cancelled = CANCELLED_STATES.length ? `count(*) FILTER (WHERE ${fed} AND t.state IN (${sqlCodes(CANCELLED_STATES)}))` : '0';
    const { rows } = await this.db.query<Record<string, string>>(
      `SELECT count(*) AS matched,
         count(*) FILTER (WHERE i.phase = 0) AS pending,
         count(*) FILTER (WHERE i.phase = 1) AS feeding,
         count(*) FILTER (WHERE ${fed} AND t.state IN (${SQL_RUNNING})) AS running,
         count(*) FILTER (WHERE ${fed} AND t.state IN (${SQL_DONE})) AS done,
         count(*) FILTER (WHERE ${fed} AND t.state IN (${SQL_DONE}) AND t.state_changed_at > now() - interval '60 seconds') AS done_last_minute,
         count(*) FILTER (WHERE ${fed} AND (${failed})) AS failed,
         ${cancelled} AS cancelled
       FROM ${ITEMS_WITH_TASKS}
       WHERE i.campaign_id = $1`,
      [id],
    );
    const r = rows[0];
    const n = (k: string) => Number(r?.[k] ?? 0);
    const matched = n('matched');
    const known = n('pending') + n('feeding') + n('running') + n('done') + n('failed') + n('cancelled');
    return {
      matched,
      pending: n('pending'),
      feeding: n('feeding'),
      queued: Math.max(0, matched - known),
      running: n('running'),
      done: n('done'),
      failed: n('failed'),
      cancelled: n('cancelled'),
      doneLastMinute: n('done_last_minute'),
    };
  }

  async lease(owner: string, leaseMs: number, limit: number): Promise<CampaignRecord[]> {
    const { rows } = await this.db.query<CampaignRow>(
      `UPDATE campaigns SET lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond'
       WHERE id IN (
         SELECT id FROM campaigns
         WHERE status = 'running' AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < now())
         ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [owner, Math.max(1, Math.trunc(leaseMs)), Math.max(1, Math.trunc(limit))],
    );
    return rows.map(toRecord);
  }

  async release(owner: string): Promise<void> {
    await this.db.query('UPDATE campaigns SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [owner]);
  }

  async feeding(id: string): Promise<CampaignItem[]> {
    const { rows } = await this.db.query<{ seq: number; document_id: string; key: string }>(
      'SELECT i.seq, i.document_id, c.key FROM campaign_items i JOIN campaigns c ON c.id = i.campaign_id WHERE i.campaign_id = $1 AND i.phase = 1 ORDER BY i.seq',
      [id],
    );
    return rows.map((r) => toItem(r.key)(r));
  }

  async takeNext(id: string, owner: string, n: number): Promise<CampaignItem[]> {
    if (n < 1) return [];
    const { rows } = await this.db.query<{ seq: number; document_id: string; key: string }>(
      `UPDATE campaign_items SET phase = 1
       WHERE campaign_id = $1 AND phase = 0
         AND seq IN (SELECT seq FROM campaign_items WHERE campaign_id = $1 AND phase = 0 ORDER BY seq LIMIT $3)
         AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = $1 AND c.status = 'running' AND c.lease_owner = $2 AND c.lease_until > now())
       RETURNING seq, document_id, (SELECT key FROM campaigns WHERE id = $1) AS key`,
      [id, owner, Math.trunc(n)],
    );
    return rows.map((r) => toItem(r.key)(r)).sort((a, b) => a.seq - b.seq);
  }

  async markFed(id: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.db.query('UPDATE campaign_items SET phase = 2, fed_at = now() WHERE campaign_id = $1 AND seq = ANY($2::int[]) AND phase = 1', [id, [...seqs]]);
  }

  async unfinishedTaskIds(id: string): Promise<string[]> {
    const finished = `t.state IN (${SQL_DONE}) OR t.state IN (${SQL_MANUAL})${CANCELLED_STATES.length ? ` OR t.state IN (${sqlCodes(CANCELLED_STATES)})` : ''}`;
    const { rows } = await this.db.query<{ task_id: string }>(
      `SELECT t.id AS task_id FROM ${ITEMS_WITH_TASKS} WHERE i.campaign_id = $1 AND i.phase > 0 AND t.id IS NOT NULL AND NOT (${finished}) ORDER BY i.seq`,
      [id],
    );
    return rows.map((r) => r.task_id);
  }
}
