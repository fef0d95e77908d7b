import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { TaskState } from '@dane/protocol';
import { TransitionRequest } from '@dane/core/storage/store.port';
import { migrate } from '@dane/core/storage/sql/migrations';
import { PostgresSqlClient } from '@dane/core/storage/sql/postgres-client';
import { SqlExecutor, SqlRows } from '@dane/core/storage/sql/sql-client';
import { SqlTaskRepository } from '@dane/core/storage/sql/sql-task.repository';
import { readProcStats } from './proc-stats';
import { freePort } from '../test/support/net';
import { sleep, waitFor } from '../test/support/polling';
import { spawnNode } from './processes';
import { formatTable } from './stats';

/**
 * `npm run bench:scale`: do the queries the server runs all the time stay as fast with 1M stored
 * tasks as with 1k, and does the server's memory stay flat? For each size a fresh PostgreSQL
 * database is filled with `size` documents and one task each: a bounded working set (tasks in
 * flight, runnable, waiting, backing off, leases run out — HOT of each, whatever the size) and the
 * rest done (200), the way a store grows. Then:
 *   - each operation runs through the real repository (SqlTaskRepository) RUNS times, median ms;
 *   - the SQL it sent is captured and EXPLAIN ANALYZEd (writes inside a rolled-back transaction);
 *     the plan must not read `tasks` with a Seq Scan;
 *   - the single-machine server runs against the database for a few sweeps, its RSS is read.
 * Options: --sizes 1000,1000000 (default), --runs N, --out file. Needs PostgreSQL
 * (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres) and, for the memory
 * check, RabbitMQ (BENCH_AMQP_URL host/port; skipped with --no-server).
 */

const HOT = 100;
const say = (s: string) => process.stderr.write(`scale: ${s}\n`);

interface Options {
  sizes: number[];
  runs: number;
  out: string;
  postgresUrl: string;
  server: boolean;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : def;
  };
  const sizes = get('sizes', '1000,1000000')
    .split(',')
    .map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 10 * HOT)) throw new Error(`--sizes: whole numbers ≥ ${10 * HOT}`);
  return {
    sizes,
    runs: Math.max(3, Number(get('runs', '20'))),
    out: get('out', join(__dirname, '..', '..', 'bench', 'results', 'scale.json')),
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    server: !argv.includes('--no-server'),
  };
}

/** An executor that remembers the statements it ran, so their plans can be shown. */
class Recorder implements SqlExecutor {
  statements: Array<{ text: string; params: readonly unknown[] }> = [];
  constructor(private readonly db: SqlExecutor) {}
  query<R>(text: string, params: readonly unknown[] = []): Promise<SqlRows<R>> {
    this.statements.push({ text, params: [...params] });
    return this.db.query<R>(text, params);
  }
}

/**
 * `size` documents with one ASR task each. Task i: HOT each of 102 with a live lease, 102 with an
 * expired lease, 201 runnable, 412 waiting (on DL, which is done), 502 backing off; the rest 200.
 */
async function populate(c: Client, size: number): Promise<void> {
  const ts = 'to_char(now(), \'YYYY-MM-DD"T"HH24:MI:SS\')';
  await c.query(
    `INSERT INTO documents (id, target_id, creator_id, target_type, target, creator, created_at, updated_at)
     SELECT 'doc' || i, 'ITM' || i, 'creator' || (i % 10), 'Video',
            jsonb_build_object('id', 'ITM' || i, 'url', 'http://example.org/' || i || '.mp4', 'type', 'Video'),
            jsonb_build_object('id', 'creator' || (i % 10), 'type', 'Organization'), ${ts}, ${ts}
     FROM generate_series(1, $1::int) AS i`,
    [size],
  );
  const h = HOT;
  await c.query(
    `INSERT INTO tasks (id, document_id, key, state, msg, priority, args, depends_on, attempt, retries, lease_until, not_before,
                        created_at, updated_at, state_changed_at, creator_id, target_type)
     SELECT md5('doc' || i || 'ASR'), 'doc' || i, 'ASR', s.state, 'm', 1, '{}', s.depends_on, s.attempt, 0, s.lease_until, s.not_before,
            ${ts}, ${ts}, now() - interval '2 hours', 'creator' || (i % 10), 'Video'
     FROM generate_series(1, $1::int) AS i,
     LATERAL (SELECT
       CASE WHEN i <= ${h} THEN ${TaskState.QUEUED} WHEN i <= ${2 * h} THEN ${TaskState.QUEUED} WHEN i <= ${3 * h} THEN ${TaskState.CREATED}
            WHEN i <= ${4 * h} THEN ${TaskState.UNFINISHED_DEPENDENCY} WHEN i <= ${5 * h} THEN ${TaskState.ERROR_INVALID_INPUT}
            ELSE ${TaskState.SUCCESS} END AS state,
       CASE WHEN i > ${3 * h} AND i <= ${4 * h} THEN ARRAY['DL'] ELSE '{}'::text[] END AS depends_on,
       CASE WHEN i <= ${3 * h} THEN 0 ELSE 1 END AS attempt,
       CASE WHEN i <= ${h} THEN now() + interval '5 minutes' WHEN i <= ${2 * h} THEN now() - interval '1 minute' END AS lease_until,
       CASE WHEN i > ${4 * h} AND i <= ${5 * h} THEN now() + interval '1 hour' END AS not_before) AS s`,
    [size],
  );
  // The dependency the 412 tasks wait on, done (so a release sweep would release them).
  await c.query(
    `INSERT INTO tasks (id, document_id, key, state, msg, priority, created_at, updated_at, creator_id, target_type)
     SELECT md5('doc' || i || 'DL'), 'doc' || i, 'DL', ${TaskState.SUCCESS}, 'm', 1, 'x', 'x', 'creator' || (i % 10), 'Video'
     FROM generate_series(${3 * h + 1}, ${4 * h}) AS i`,
  );
  await c.query('ANALYZE');
}

interface OpResult {
  name: string;
  medianMs: number;
  plans: Array<{ statement: string; plan: string; seqScanOnTasks: boolean; indexes: string[] }>;
}

async function explain(c: Client, text: string, params: readonly unknown[]): Promise<string> {
  await c.query('BEGIN');
  try {
    const { rows } = await c.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${text}`, params as unknown[]);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await c.query('ROLLBACK');
  }
}

/**
 * Runs `op` on its own connection RUNS times, each in a transaction that is rolled back (so a write
 * can be repeated on the same data), and returns the median; the statements of the first run are
 * then EXPLAIN ANALYZEd, also rolled back.
 */
async function measure(name: string, runs: number, c: Client, op: (tasks: SqlTaskRepository) => Promise<unknown>): Promise<OpResult> {
  const recorder = new Recorder({
    query: (text, params) => c.query(text, params as unknown[]).then((r) => ({ rows: r.rows, rowCount: r.rowCount ?? 0 })),
  });
  const tasks = new SqlTaskRepository(recorder);
  const times: number[] = [];
  let statements: Recorder['statements'] = [];
  for (let i = 0; i <= runs; i++) {
    await c.query('BEGIN');
    try {
      const t = performance.now();
      await op(tasks);
      // The first run warms the caches up; its statements are the ones explained.
      if (i > 0) times.push(performance.now() - t);
    } finally {
      await c.query('ROLLBACK');
    }
    if (i === 0) statements = recorder.statements;
    recorder.statements = [];
  }
  times.sort((a, b) => a - b);
  const plans = [];
  for (const st of statements) {
    const plan = await explain(c, st.text, st.params);
    plans.push({
      statement: st.text.replace(/\s+/g, ' ').trim().slice(0, 160),
      plan,
      seqScanOnTasks: /Seq Scan on tasks/.test(plan),
      indexes: [...new Set([...plan.matchAll(/(?:Index Scan(?: Backward)? using|Index Only Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)/g)].map((m) => m[1]))],
    });
  }
  return { name, medianMs: times[Math.floor(times.length / 2)], plans };
}

async function serverMemory(dbUrl: string, size: number): Promise<{ rssMb: number; peakRssMb: number } | null> {
  const home = mkdtempSync(join(tmpdir(), 'dane-scale-'));
  const token = `scale-${randomBytes(16).toString('hex')}`;
  const tag = `scale-${size}-${Date.now().toString(36)}`;
  const port = await freePort();
  const server = spawnNode(
    'apps/dane/src/main.js',
    {
      DANE_HOME: home,
      DANE_DANE__PORT: String(port),
      DANE_STORAGE__TYPE: 'postgres',
      DANE_STORAGE__POSTGRES_URL: dbUrl,
      DANE_RABBITMQ__EXCHANGE: `bench-${tag}`,
      DANE_RABBITMQ__RESPONSE_QUEUE: `bench-${tag}-response-queue`,
      DANE_RABBITMQ__MANAGEMENT: 'false',
      DANE_LOGGING__LEVEL: 'ERROR',
      DANE_AUTH__ADMIN_TOKEN: token,
      // Keep the working set as it is: nothing expires or falls due while we watch.
      DANE_SCHEDULER__LEASE_SECONDS: '3600',
    },
    'server',
  );
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the server', async () => (await fetch(`${base}/health`)).ok, 60_000, 200);
    // A few sweeps, and the pages a dashboard would ask for.
    for (let i = 0; i < 10; i++) {
      for (const q of ['/DANE/tasks/?page=1&size=100', '/DANE/tasks/?state=102&page=1&size=100', '/DANE/stats/tasks']) {
        await fetch(base + q, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
      }
      await sleep(500);
    }
    const stats = readProcStats(server.pid);
    return stats ? { rssMb: stats.rssMb, peakRssMb: stats.peakRssMb } : null;
  } catch (e) {
    say(`server memory check skipped: ${(e as Error).message}`);
    return null;
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

async function runSize(o: Options, size: number) {
  const dbName = `bench_scale_${size}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: o.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(o.postgresUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const client = new PostgresSqlClient(dbUrl, 4);
  const c = new Client({ connectionString: dbUrl });
  try {
    await migrate(client);
    await c.connect();
    say(`[${size}] filling ${size} documents and tasks`);
    const t0 = performance.now();
    await populate(c, size);
    say(`[${size}] filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const inFlight = (await c.query<{ id: string; attempt: number }>(`SELECT id, attempt FROM tasks WHERE state = ${TaskState.QUEUED} AND lease_until > now() ORDER BY seq`)).rows;
    const someIds = (await c.query<{ id: string }>(`SELECT id FROM tasks ORDER BY seq DESC LIMIT 100`)).rows.map((r) => r.id);
    const lastPage = Math.max(1, Math.floor(size / 100));
    const finish = (t: { id: string; attempt: number }): TransitionRequest => ({
      id: t.id,
      from: [TaskState.QUEUED],
      attempt: t.attempt,
      to: TaskState.SUCCESS,
      msg: 'Success',
      retries: 'reset',
      notBefore: null,
    });
    const ops: Array<[string, (tasks: SqlTaskRepository) => Promise<unknown>]> = [
      // The API's listings: a page of everything (first and last: OFFSET), by state, of one document.
      ['list tasks: page 1 of all (100)', (t) => t.list({}, { page: 1, size: 100 })],
      ['list tasks: last page of all', (t) => t.list({}, { page: lastPage, size: 100 })],
      ['list tasks: in 102, page 1', (t) => t.list({ states: [TaskState.QUEUED] }, { page: 1, size: 100 })],
      ['list tasks: of one document', (t) => t.list({ documentId: 'doc1234' }, { page: 1, size: 100 })],
      // The sweeper, each interval.
      [`sweep: expire ${HOT} leases`, (t) => t.expireLeases(HOT)],
      [`sweep: release dependants (${HOT} ready)`, (t) => t.releaseDependants()],
      ['sweep: next due back-off', (t) => t.nextDueAt()],
      // The dispatcher and the reply consumer.
      [`dispatch: claim ${HOT}`, (t) => t.claimRunnable(HOT, 60_000)],
      ['replies: read 100 tasks by id', (t) => t.findByIds(someIds)],
      ['state change: one task 102 → 200', (t) => t.transition(finish(inFlight[0]))],
      ['state change: 100 tasks, one statement', (t) => t.transitionMany(inFlight.slice(0, 100).map(finish))],
    ];
    const withStuck = (t: SqlTaskRepository) => t as unknown as { findStuck?: (ms: number, n: number) => Promise<unknown> };
    if (typeof withStuck(new SqlTaskRepository(client)).findStuck === 'function') {
      ops.splice(7, 0, ['sweep: stuck report', (t) => withStuck(t).findStuck!(3_600_000, 20)]);
    }
    const results: OpResult[] = [];
    for (const [name, op] of ops) results.push(await measure(name, o.runs, c, op));
    const memory = o.server ? await serverMemory(dbUrl, size) : null;
    return { size, ops: results, memory };
  } finally {
    await c.end().catch(() => undefined);
    await client.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const results: Array<Awaited<ReturnType<typeof runSize>>> = [];
  for (const size of o.sizes) results.push(await runSize(o, size));
  const header = ['operation', ...results.map((r) => `${r.size.toLocaleString('en')} tasks ms`), 'indexes used (largest size)', 'seq scan on tasks'];
  const last = results[results.length - 1];
  const rows = last.ops.map((op, i) => [
    op.name,
    ...results.map((r) => r.ops[i].medianMs),
    op.plans
      .flatMap((p) => p.indexes)
      .filter((v, j, a) => a.indexOf(v) === j)
      .join(', ') || '—',
    op.plans.some((p) => p.seqScanOnTasks) ? 'YES' : 'no',
  ]);
  rows.push(['server RSS MB after sweeps + pages', ...results.map((r) => r.memory?.rssMb ?? NaN), '', '']);
  rows.push(['server peak RSS MB', ...results.map((r) => r.memory?.peakRssMb ?? NaN), '', '']);
  console.log(`\nDANE for Node scale check — medians of ${o.runs} runs, node ${process.version}\n`);
  console.log(formatTable(header, rows));
  const out = { date: new Date().toISOString(), options: { sizes: o.sizes, runs: o.runs, hot: HOT }, results };
  mkdirSync(join(o.out, '..'), { recursive: true });
  writeFileSync(o.out, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nplans and figures written to ${o.out}`);
}

main().catch((e) => {
  console.error(`scale: ${e.stack ?? e}`);
  process.exit(1);
});
