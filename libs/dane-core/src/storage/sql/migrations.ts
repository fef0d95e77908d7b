import { NOT_ERRORED_STATES, UNFINISHED_EXCLUDED_STATES } from '@dane/protocol';
import { sqlStateSet } from './sql-paging';
import { SQL_DISPATCHABLE, SQL_QUEUED, SQL_WAITING } from './sql-states';
import { SqlClient, SqlExecutor } from './sql-client';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/**
 * The schema, as an append-only list: never edit an applied migration, add a new one. The partial
 * indexes embed state sets from task-state.ts; if those sets change, add a migration that rebuilds
 * the indexes (queries stay correct meanwhile, they just stop using the index).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents, tasks, results',
    statements: [
      `CREATE TABLE documents (
        id text PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        target_id text NOT NULL,
        creator_id text NOT NULL,
        target_type text NOT NULL,
        target jsonb NOT NULL,
        creator jsonb NOT NULL,
        created_at text NOT NULL,
        updated_at text NOT NULL
      )`,
      // text_pattern_ops: wildcard searches with a literal prefix stay index scans in any collation.
      `CREATE INDEX documents_target_id ON documents (target_id text_pattern_ops)`,
      `CREATE INDEX documents_creator_id ON documents (creator_id text_pattern_ops)`,

      // The task id is sha1(document_id + key), so the primary key already makes (document_id, key) unique.
      `CREATE TABLE tasks (
        id text PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        key text NOT NULL,
        state smallint NOT NULL,
        msg text NOT NULL,
        priority smallint NOT NULL,
        args jsonb NOT NULL DEFAULT '{}',
        depends_on text[] NOT NULL DEFAULT '{}',
        attempt integer NOT NULL DEFAULT 0,
        retries integer NOT NULL DEFAULT 0,
        lease_until timestamptz,
        not_before timestamptz,
        created_at text NOT NULL,
        updated_at text NOT NULL,
        state_changed_at timestamptz NOT NULL DEFAULT now(),
        creator_id text NOT NULL,
        target_type text NOT NULL
      )`,
      `CREATE INDEX tasks_dispatchable ON tasks (priority DESC, seq) WHERE state IN (${SQL_DISPATCHABLE})`,
      `CREATE INDEX tasks_due ON tasks (not_before) WHERE state IN (${SQL_DISPATCHABLE}) AND not_before IS NOT NULL`,
      `CREATE INDEX tasks_lease ON tasks (lease_until) WHERE state = ${SQL_QUEUED}`,
      `CREATE INDEX tasks_waiting ON tasks (document_id) WHERE state = ${SQL_WAITING}`,
      `CREATE INDEX tasks_document_key ON tasks (document_id, key)`,
      `CREATE INDEX tasks_key_state ON tasks (key, state)`,
      `CREATE INDEX tasks_creator_key ON tasks (creator_id, key)`,
      `CREATE INDEX tasks_state ON tasks (state)`,

      `CREATE TABLE results (
        id text PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        task_id text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        document_id text NOT NULL,
        task_key text NOT NULL,
        generator_id text NOT NULL,
        generator_name text NOT NULL,
        generator jsonb NOT NULL,
        payload jsonb NOT NULL,
        creator_id text NOT NULL,
        created_at text NOT NULL,
        updated_at text NOT NULL,
        dedup_key text UNIQUE
      )`,
      `CREATE INDEX results_task ON results (task_id)`,
      `CREATE INDEX results_document_key ON results (document_id, task_key)`,
      `CREATE INDEX results_creator_key ON results (creator_id, task_key)`,
      `CREATE INDEX results_generator ON results (generator_name, generator_id)`,
    ],
  },
  {
    version: 2,
    name: 'api keys',
    statements: [
      // Only a salted sha256 of each key's secret is stored; the id is the key's public part.
      `CREATE TABLE api_keys (
        id text PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        name text NOT NULL,
        role text NOT NULL,
        salt text NOT NULL,
        hash text NOT NULL,
        created_at text NOT NULL,
        last_used_at text
      )`,
    ],
  },
  {
    version: 3,
    name: 'stuck-task report indexes',
    statements: [
      // findStuck (task-lease.sql.ts): runnable or waiting tasks, oldest state change first.
      `CREATE INDEX tasks_dispatchable_since ON tasks (state_changed_at) WHERE state IN (${SQL_DISPATCHABLE})`,
      `CREATE INDEX tasks_waiting_since ON tasks (state_changed_at) WHERE state = ${SQL_WAITING}`,
    ],
  },
  {
    version: 4,
    name: 'heartbeat time',
    statements: [
      // Set by a worker's heartbeat, cleared by a claim: a started task has a short lease, a queued one a long one.
      'ALTER TABLE tasks ADD COLUMN heartbeat_at timestamptz',
    ],
  },
  {
    version: 5,
    name: 'keyset paging indexes',
    statements: [
      // Every list reads in insertion order (seq) and pages by `seq > <cursor>` (sql-paging.ts): each
      // API list filter gets an index whose order is seq after its equalities, so a page at any depth
      // reads about `size` index entries. Where a new index extends an old one, it replaces it.
      // GET /DANE/task/inprogress (102), and any one-state filter:
      'DROP INDEX tasks_state',
      'CREATE INDEX tasks_state_seq ON tasks (state, seq)',
      // GET /DANE/creator/<creator>/<KEY>/tasks:
      'DROP INDEX tasks_creator_key',
      'CREATE INDEX tasks_creator_key_seq ON tasks (creator_id, key, seq)',
      // GET /DANE/task/ (unfinished) and GET /DANE/workers/<KEY> (errored): their fixed state sets,
      // written as the lists write them (sqlStateSet).
      `CREATE INDEX tasks_unfinished_seq ON tasks (seq) WHERE state NOT IN (${sqlStateSet(UNFINISHED_EXCLUDED_STATES)})`,
      `CREATE INDEX tasks_errored_key_seq ON tasks (key, seq) WHERE state NOT IN (${sqlStateSet(NOT_ERRORED_STATES)})`,
      // GET /DANE/creator/<creator>/docs (a pattern without wildcards is an equality):
      'DROP INDEX documents_creator_id',
      'CREATE INDEX documents_creator_seq ON documents (creator_id text_pattern_ops, seq)',
      // GET /DANE/creator/<creator>/<KEY>/results, GET /DANE/results/?generator_name=&generator_id=:
      'DROP INDEX results_creator_key',
      'CREATE INDEX results_creator_key_seq ON results (creator_id, task_key, seq)',
      'DROP INDEX results_generator',
      'CREATE INDEX results_generator_seq ON results (generator_name, generator_id, seq)',
    ],
  },
  {
    version: 6,
    name: 'campaigns',
    statements: [
      // Campaigns (storage/campaign.port.ts; docs/protocol.md, Campaigns): the campaign, leased to one feeder at a time.
      `CREATE TABLE campaigns (
        id text PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        name text,
        action text NOT NULL,
        key text NOT NULL,
        selection jsonb NOT NULL,
        max_in_flight integer NOT NULL,
        priority smallint NOT NULL,
        args jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL,
        matched integer NOT NULL,
        created_at text NOT NULL,
        updated_at text NOT NULL,
        finished_at text,
        lease_owner text,
        lease_until timestamptz
      )`,
      `CREATE INDEX campaigns_running ON campaigns (seq) WHERE status = 'running'`,
      // One row per selected document (assign) or task (rerun: its document; the task is the campaign key's on it).
      // phase: 0 pending, 1 feeding, 2 fed.
      `CREATE TABLE campaign_items (
        campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        document_id text NOT NULL,
        phase smallint NOT NULL DEFAULT 0,
        fed_at timestamptz,
        PRIMARY KEY (campaign_id, seq)
      )`,
      `CREATE INDEX campaign_items_pending ON campaign_items (campaign_id, seq) WHERE phase = 0`,
    ],
  },
  {
    version: 7,
    name: 'fair share between creators',
    statements: [
      // CLAIM_RUNNABLE_FAIR (task-dispatch.sql.ts) walks the runnable tasks by (priority, key, creator) group and
      // takes turns between the groups; this index serves the group walk and each group's oldest tasks.
      // tasks_dispatchable stays: the claim without a per-key limit reads it in (priority, seq) order.
      `CREATE INDEX tasks_dispatchable_groups ON tasks (priority DESC, key, creator_id, seq) WHERE state IN (${SQL_DISPATCHABLE})`,
    ],
  },
];

/** Arbitrary first half of the advisory lock key; the second half is the schema's hash. */
const MIGRATION_LOCK = 0x44414e45; // "DANE"

async function appliedVersions(tx: SqlExecutor): Promise<Set<number>> {
  const { rows } = await tx.query<{ version: number }>('SELECT version FROM dane_migrations');
  return new Set(rows.map((r) => Number(r.version)));
}

/**
 * Applies the missing migrations in one transaction, under a transaction-level advisory lock per
 * schema: a second process starting at the same moment waits, then finds nothing left to do.
 * Returns the versions it applied.
 */
export async function migrate(client: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1::int, hashtext(coalesce(current_schema(), '')))`, [MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS dane_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const done = await appliedVersions(tx);
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      for (const statement of m.statements) await tx.query(statement);
      await tx.query('INSERT INTO dane_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
