import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import * as amqp from 'amqplib';
import { taskId, withMallocArenaMax } from '@dane/protocol';
import { PREFETCH_ONE_CEILING, runCeiling, TUNED_CEILING } from './ceiling';
import { budgetPer1000, CpuBudget, startCpuBudget } from './cpu-budget';
import { readProcStats, ProcStats } from './proc-stats';
import { freePort } from '../test/support/net';
import { NodeProcess } from '../test/support/node-process';
import { sleep, waitFor } from '../test/support/polling';
import { spawnNode } from './processes';
import { formatTable, percentiles, quarterMedians } from './stats';

/**
 * `npm run bench`: the broker's ceiling and DANE for Node end to end, measured in one run on one
 * machine. Options: --tasks N, --workers W (the worker's concurrency), --prefetch P (its prefetch window,
 * default 50), --store pglite|postgres|both, --out file, --latency-rate R (assignments per second of the
 * latency phase; default half the measured throughput), --throughput-only, --schedulers N (PostgreSQL only:
 * N − 1 scheduler processes beside the single-machine server's, for the cost of every replica waking
 * for every new task).
 */
interface Options {
  tasks: number;
  workers: number;
  prefetch: number;
  stores: Array<'pglite' | 'postgres'>;
  out: string;
  amqpUrl: string;
  postgresUrl: string;
  /** Assignments per second of the latency phase; default half the measured throughput. */
  latencyRate?: number;
  /** --throughput-only: skip the dependency and latency phases (for quick comparisons). */
  throughputOnly: boolean;
  /** --schedulers N: scheduler replicas in all (the server's own plus N − 1 processes of apps/scheduler). */
  schedulers: number;
  /** MALLOC_ARENA_MAX of the server's processes: as `npm start` and the image start them (2), unless set here. */
  serverMallocArenaMax: string;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : def;
  };
  const store = get('store', 'both');
  if (!['pglite', 'postgres', 'both'].includes(store)) throw new Error(`--store must be pglite, postgres or both (got ${store})`);
  const tasks = Number(get('tasks', '5000'));
  const workers = Number(get('workers', '4'));
  if (!Number.isInteger(tasks) || tasks < 100) throw new Error('--tasks must be a whole number ≥ 100');
  if (!Number.isInteger(workers) || workers < 1) throw new Error('--workers must be a whole number ≥ 1');
  const schedulers = Number(get('schedulers', '1'));
  if (!Number.isInteger(schedulers) || schedulers < 1) throw new Error('--schedulers must be a whole number ≥ 1');
  if (schedulers > 1 && store !== 'postgres') throw new Error('--schedulers above 1 needs --store postgres (replicas share one PostgreSQL; PGlite belongs to one process)');
  const prefetch = Number(get('prefetch', '50'));
  if (!Number.isInteger(prefetch) || prefetch < workers) throw new Error(`--prefetch must be a whole number ≥ --workers (${workers})`);
  return {
    tasks,
    workers,
    prefetch,
    stores: store === 'both' ? ['postgres', 'pglite'] : [store as 'pglite' | 'postgres'],
    out: get('out', join(__dirname, '..', '..', 'bench', 'results', 'latest.json')),
    amqpUrl: process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    latencyRate: argv.includes('--latency-rate') ? Number(get('latency-rate', '0')) || undefined : undefined,
    throughputOnly: argv.includes('--throughput-only'),
    schedulers,
    serverMallocArenaMax: withMallocArenaMax({ MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX }).MALLOC_ARENA_MAX,
  };
}

/**
 * How often the bench asks for the task counts while it waits for `n` tasks: every 100 ms, and for long
 * runs every n / 50 ms (at most 2 s), as each poll is a count over the tasks table that would otherwise
 * load the store measured (100k tasks: a poll every 2 s, ±1 s on a run of minutes).
 */
function pollMs(n: number): number {
  return Math.min(2000, Math.max(100, Math.round(n / 50)));
}
/** Latency phase: requests waiting for an answer at most. */
const LATENCY_MAX_IN_FLIGHT = 64;
const say = (s: string) => process.stderr.write(`bench: ${s}\n`);
const clock = () => performance.timeOrigin + performance.now();

/**
 * The bench's HTTP client: node:http on a keep-alive agent, the leanest client Node has. With fetch
 * (undici) the latency phase counted the client's own cost as the server's: at 50 assignments a
 * second the answer's p50 was 6.9 ms with fetch and 5.3 ms with this (assign→callback 10.0 → 8.1).
 */
const agent = new Agent({ keepAlive: true, maxSockets: LATENCY_MAX_IN_FLIGHT });
function httpCall(url: string, method: string, body: string | undefined, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

class Api {
  constructor(
    readonly base: string,
    /** The admin key the server was started with (AUTH.ADMIN_TOKEN): not rate limited. */
    private readonly token: string,
  ) {}
  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const { status, text } = await httpCall(this.base + path, method, body === undefined ? undefined : JSON.stringify(body), this.token);
    const json = text ? JSON.parse(text) : null;
    if (status >= 400) throw new Error(`${method} ${path} → ${status} ${text.slice(0, 200)}`);
    return { status, json };
  }
  async registerDocuments(creator: string, prefix: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1000) {
      const docs = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
        target: { id: `${prefix}-${i + j}`, url: `http://example.org/${prefix}/${i + j}.mp4`, type: 'Video' },
        creator: { id: creator, type: 'Software' },
      }));
      const r = await this.call('POST', '/DANE/documents/', docs);
      if (r.json.failed.length) throw new Error(`registration failed: ${JSON.stringify(r.json.failed[0])}`);
      ids.push(...r.json.success.map((d: { _id: string }) => d._id));
    }
    return ids;
  }
  async assignMany(ids: string[], key: string, extra: Record<string, unknown> = {}): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) {
      const r = await this.call('POST', '/DANE/task/', { document_id: ids.slice(i, i + 1000), key, ...extra });
      if (r.json.failed.length) throw new Error(`assignment failed: ${JSON.stringify(r.json.failed[0])}`);
    }
  }
  /** Task counts of one key by state (GET /DANE/stats/tasks). */
  async counts(key: string): Promise<Record<string, number>> {
    const r = await this.call('GET', `/DANE/stats/tasks?key=${key}`);
    const out: Record<string, number> = {};
    for (const row of r.json.counts as Array<{ key: string; state: number; count: number }>) if (row.key === key) out[String(row.state)] = row.count;
    return out;
  }
  /**
   * Polls the counts (every pollMs(n)) until `n` tasks of `key` are in 200 and returns when that happened:
   * the middle between the last poll that saw fewer and the first that saw all.
   */
  async waitAllDone(key: string, n: number, timeoutMs: number): Promise<number> {
    let lastLog = 0;
    let before = clock();
    let doneAt = NaN;
    await waitFor(
      `${n} ${key} tasks in 200`,
      async () => {
        const asked = clock();
        const c = await this.counts(key);
        const done = c['200'] ?? 0;
        if (Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          say(`  ${key}: ${done}/${n} done ${JSON.stringify(c)}`);
        }
        const others = Object.entries(c).filter(([s, v]) => s !== '200' && v > 0 && !['102', '201', '205', '412'].includes(s));
        if (others.length) throw new Error(`tasks ended in ${JSON.stringify(others)}`);
        if (done < n) {
          before = asked;
          return false;
        }
        doneAt = (before + asked) / 2;
        return true;
      },
      timeoutMs,
      pollMs(n),
    );
    return doneAt;
  }
}

interface StoreRun {
  store: string;
  tasksPerSecond: number;
  ratioToCeiling: number;
  dependencyTasksPerSecond: number;
  latency: {
    assignToCallbackMs: Record<string, number>;
    /** The assignment's own HTTP round trip (POST /DANE/task/ until its answer): the API's share of assign→callback. */
    assignAnsweredMs: Record<string, number>;
    replyToStoredMs: Record<string, number> | null;
    /** Assignments per second reached (below the target when the server could not keep up). */
    ratePerSecond: number;
    targetRatePerSecond: number;
    samples: number;
  };
  costPer1000: { server: ProcStats | null; worker: ProcStats | null };
  /** Where the machine's CPU went during the throughput phase (see cpu-budget.ts). */
  cpuBudget: CpuBudget | null;
  /** Median RSS (MB) of the server in each quarter of the throughput phase, sampled every second. */
  serverRssQuarters: number[];
}

/** A process's CPU per 1000 tasks (from the phase's CPU budget) and its memory as it stands now. */
function costOf(budget: CpuBudget | null, name: string, pid: number, n: number): ProcStats | null {
  const now = readProcStats(pid);
  const cpu = budget?.groups[name];
  return now && cpu !== undefined ? { ...now, cpuSeconds: (cpu * 1000) / n } : null;
}

async function runStore(o: Options, store: 'pglite' | 'postgres', ceilingTps: number): Promise<StoreRun> {
  const tag = `${store}-${Date.now().toString(36)}`;
  const home = mkdtempSync(join(tmpdir(), 'dane-bench-'));
  const port = await freePort();
  const dbName = `bench_${tag.replace(/-/g, '_')}`;
  const adminToken = `bench-${randomBytes(16).toString('hex')}`;
  const env: Record<string, string> = {
    DANE_HOME: home,
    DANE_DANE__PORT: String(port),
    DANE_STORAGE__TYPE: store,
    DANE_STORAGE__DATA_DIR: join(home, 'data'),
    DANE_RABBITMQ__EXCHANGE: `bench-${tag}`,
    DANE_RABBITMQ__RESPONSE_QUEUE: `bench-${tag}-response-queue`,
    DANE_RABBITMQ__EVENTS_EXCHANGE: `bench-${tag}-events`,
    DANE_RABBITMQ__MANAGEMENT: 'false',
    DANE_LOGGING__LEVEL: 'WARNING',
    DANE_AUTH__ADMIN_TOKEN: adminToken,
  };
  let admin: Client | undefined;
  if (store === 'postgres') {
    admin = new Client({ connectionString: o.postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const u = new URL(o.postgresUrl);
    u.pathname = `/${dbName}`;
    env.DANE_STORAGE__POSTGRES_URL = u.toString();
  }
  const procs: NodeProcess[] = [];
  const startWorker = (trace: boolean) => {
    const w = spawnNode(
      'bench/noop-worker.js',
      { ...env, BENCH_QUEUE: `bench-${tag}-noop`, BENCH_CONCURRENCY: String(o.workers), BENCH_PREFETCH: String(o.prefetch), ...(trace ? { BENCH_TRACE: '1' } : {}) },
      'worker',
    );
    procs.push(w);
    return w;
  };
  try {
    say(`[${store}] starting the single-machine server on :${port}`);
    const serverEnv = { ...env, MALLOC_ARENA_MAX: o.serverMallocArenaMax };
    const server = spawnNode('apps/dane/src/main.js', serverEnv, 'server');
    procs.push(server);
    const api = new Api(`http://127.0.0.1:${port}`, adminToken);
    await waitFor('the server', async () => (await fetch(`${api.base}/health`)).ok, 60_000, 200);
    // More scheduler replicas (--schedulers): each wakes for every new task and claims with SKIP LOCKED.
    const schedulers = Array.from({ length: o.schedulers - 1 }, (_, i) => spawnNode('apps/scheduler/src/main.js', serverEnv, `scheduler-${i + 2}`));
    procs.push(...schedulers);
    // Ready when every replica consumes the response queue (their logs are quiet at WARNING).
    if (schedulers.length) await waitFor('the scheduler replicas', async () => (await consumersOf(o.amqpUrl, env.DANE_RABBITMQ__RESPONSE_QUEUE)) >= o.schedulers, 60_000, 200);
    let worker = startWorker(false);
    await sleep(1500); // the worker declares and binds its queue

    // Throughput: N documents through the bulk route, one task each through the list route.
    const n = o.tasks;
    say(`[${store}] throughput: ${n} tasks, ${o.workers} workers`);
    const ids = await api.registerDocuments(`bench-${tag}`, 'tp', n);
    const budget = startCpuBudget({ server: server.pid, worker: worker.pid, ...(schedulers.length ? { schedulers: schedulers.map((s) => s.pid) } : {}) });
    // The server's RSS each second while the tasks flow: flat or growing (a long run is the soak).
    const rss: number[] = [];
    const rssTimer = setInterval(() => {
      const s = readProcStats(server.pid);
      if (s) rss.push(s.rssMb);
    }, 1000);
    const t0 = clock();
    await api.assignMany(ids, 'NOOP');
    const doneAt = await api.waitAllDone('NOOP', n, 600_000);
    const seconds = (doneAt - t0) / 1000;
    const cpuBudget = budget.stop();
    clearInterval(rssTimer);
    const serverRssQuarters = quarterMedians(rss);
    const tps = n / seconds;
    say(`[${store}] ${tps.toFixed(0)} tasks/s`);
    const notMeasured = { p50: NaN, p95: NaN, p99: NaN };
    const run: StoreRun = {
      store,
      tasksPerSecond: tps,
      ratioToCeiling: tps / ceilingTps,
      dependencyTasksPerSecond: NaN,
      latency: { assignToCallbackMs: notMeasured, assignAnsweredMs: notMeasured, replyToStoredMs: null, ratePerSecond: NaN, targetRatePerSecond: NaN, samples: 0 },
      costPer1000: { server: costOf(cpuBudget, 'server', server.pid, n), worker: costOf(cpuBudget, 'worker', worker.pid, n) },
      cpuBudget,
      serverRssQuarters,
    };
    if (o.throughputOnly) return run;

    // Dependencies: A then B (depends_on A) on N/2 documents.
    const depDocs = ids.slice(0, Math.floor(n / 2));
    const td = clock();
    await api.assignMany(depDocs, 'STEP_A');
    await api.assignMany(depDocs, 'STEP_B', { depends_on: ['STEP_A'] });
    const depDoneAt = await api.waitAllDone('STEP_B', depDocs.length, 600_000);
    run.dependencyTasksPerSecond = (2 * depDocs.length) / ((depDoneAt - td) / 1000);
    say(`[${store}] dependencies: ${run.dependencyTasksPerSecond.toFixed(0)} tasks/s`);

    // Latency at about half the measured throughput, one assignment at a time.
    await worker.stop();
    worker = startWorker(true);
    const starts = new Map<string, number>();
    const ends = new Map<string, number>();
    worker.onLine((l) => {
      const [kind, id, at] = l.split(' ');
      if (kind === 'S') starts.set(id, Number(at));
      else if (kind === 'E') ends.set(id, Number(at));
    });
    await sleep(1500);
    const m = Math.min(2000, n);
    const latDocs = await api.registerDocuments(`bench-${tag}-lat`, 'lat', m);
    const rate = o.latencyRate ?? Math.max(1, tps / 2);
    say(`[${store}] latency: ${m} single assignments at ${rate.toFixed(0)}/s`);
    const assigned = new Map<string, number>();
    const answered: number[] = [];
    const tl = clock();
    const inflight: Promise<unknown>[] = [];
    // A server that cannot keep up would otherwise get thousands of connections at once (and the
    // run would end in connect timeouts): at most LATENCY_MAX_IN_FLIGHT requests wait for an answer,
    // and the rate actually reached is reported.
    let waiting = 0;
    for (let i = 0; i < m; i++) {
      const due = tl + (i * 1000) / rate;
      const wait = due - clock();
      if (wait > 1) await sleep(wait);
      while (waiting >= LATENCY_MAX_IN_FLIGHT) await sleep(1);
      const id = taskId(latDocs[i], 'NOOP');
      assigned.set(id, clock());
      waiting++;
      inflight.push(
        api
          .call('POST', '/DANE/task/', { document_id: latDocs[i], key: 'NOOP' })
          .then(() => answered.push(clock() - assigned.get(id)!))
          .finally(() => waiting--),
      );
    }
    await Promise.all(inflight);
    const reached = m / ((clock() - tl) / 1000);
    await api.waitAllDone('NOOP', n + m, 300_000);
    const a2c = [...assigned].filter(([id]) => starts.has(id)).map(([id, t]) => starts.get(id)! - t);
    let r2s: Record<string, number> | null = null;
    if (store === 'postgres') {
      const c = new Client({ connectionString: env.DANE_STORAGE__POSTGRES_URL });
      await c.connect();
      const { rows } = await c.query('SELECT id, extract(epoch from state_changed_at) * 1000 AS at FROM tasks WHERE id = ANY($1::text[])', [[...assigned.keys()]]);
      await c.end();
      r2s = percentiles(rows.filter((r) => ends.has(r.id)).map((r) => Number(r.at) - ends.get(r.id)!));
    }
    run.latency = {
      assignToCallbackMs: percentiles(a2c),
      assignAnsweredMs: percentiles(answered),
      replyToStoredMs: r2s,
      ratePerSecond: reached,
      targetRatePerSecond: rate,
      samples: a2c.length,
    };
    return run;
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await deleteBrokerObjects(
      o.amqpUrl,
      // The schedulers' wake-up queues are exclusive: they went with the server's connection.
      ['response-queue', 'results', 'noop'].map((q) => `bench-${tag}-${q}`),
      [`bench-${tag}`, `bench-${tag}-events`],
    );
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
    rmSync(home, { recursive: true, force: true });
  }
}

/** Consumers of a queue (0 when it does not exist yet). */
async function consumersOf(url: string, queue: string): Promise<number> {
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    return (await ch.checkQueue(queue).catch(() => ({ consumerCount: 0 }))).consumerCount;
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** What the run declared on the broker (the server's queues and exchanges, the worker's queue), removed. */
async function deleteBrokerObjects(url: string, queues: string[], exchanges: string[]): Promise<void> {
  const conn = await amqp.connect(url).catch(() => undefined);
  if (!conn) return;
  try {
    for (const q of queues) {
      const ch = await conn.createChannel();
      await ch.deleteQueue(q).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    const ch = await conn.createChannel();
    for (const x of exchanges) await ch.deleteExchange(x).catch(() => undefined);
    await ch.close().catch(() => undefined);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  // The tuned ceiling is what `ours / ceiling` compares with; the prefetch-1 one is shown beside it.
  const ceilingBudget = startCpuBudget();
  const ceiling = await runCeiling({ url: o.amqpUrl, tasks: o.tasks, ...TUNED_CEILING });
  const ceilingRaw = ceilingBudget.stop();
  const ceilingCpu = budgetPer1000(ceilingRaw, o.tasks);
  say(`ceiling (tuned): ${ceiling.tasksPerSecond.toFixed(0)} tasks/s — ${ceiling.configuration}`);
  const ceilingP1 = await runCeiling({ url: o.amqpUrl, tasks: o.tasks, ...PREFETCH_ONE_CEILING });
  say(`ceiling (prefetch 1): ${ceilingP1.tasksPerSecond.toFixed(0)} tasks/s — ${ceilingP1.configuration}`);
  const runs: StoreRun[] = [];
  for (const store of o.stores) runs.push(await runStore(o, store, ceiling.tasksPerSecond));
  // The same tuned ceiling once more: a machine whose speed drifts during the run shows it here.
  const ceilingAfter = await runCeiling({ url: o.amqpUrl, tasks: o.tasks, ...TUNED_CEILING });
  say(`ceiling (tuned), again after DANE's runs: ${ceilingAfter.tasksPerSecond.toFixed(0)} tasks/s`);

  // The CPU each part of the machine spent per 1000 tasks: with every core busy, throughput is
  // bounded by the sum, so the ratio of the sums explains the ratio of the throughputs.
  const cpu = runs.map((r) => budgetPer1000(r.cpuBudget, o.tasks));
  const cpuRow = (label: string, group: string, ceilingValue: number | string = ceilingCpu?.[group] ?? NaN) => [label, ceilingValue, '—', ...cpu.map((c) => c?.[group] ?? NaN)];
  const fmt = (p: Record<string, number> | null) => (p ? `${p.p50.toFixed(1)} / ${p.p95.toFixed(1)} / ${p.p99.toFixed(1)}` : 'n/a');
  const table = formatTable(
    ['measure', 'ceiling', 'prefetch-1 ceiling', ...runs.map((r) => `DANE (${r.store})`)],
    [
      ['tasks/s end to end', ceiling.tasksPerSecond, ceilingP1.tasksPerSecond, ...runs.map((r) => r.tasksPerSecond)],
      ['ours / ceiling', 1, ceilingP1.tasksPerSecond / ceiling.tasksPerSecond, ...runs.map((r) => r.ratioToCeiling)],
      ['ceiling again after the runs; ours / it', ceilingAfter.tasksPerSecond, '—', ...runs.map((r) => r.tasksPerSecond / ceilingAfter.tasksPerSecond)],
      ['tasks/s with A→B dependency', '—', '—', ...runs.map((r) => r.dependencyTasksPerSecond)],
      ['assign→callback ms p50/p95/p99', '—', '—', ...runs.map((r) => fmt(r.latency.assignToCallbackMs))],
      ['assignment answered (HTTP) ms p50/p95/p99', '—', '—', ...runs.map((r) => fmt(r.latency.assignAnsweredMs))],
      ['reply→stored ms p50/p95/p99', '—', '—', ...runs.map((r) => fmt(r.latency.replyToStoredMs))],
      ['latency load (tasks/s) reached / target', '—', '—', ...runs.map((r) => `${r.latency.ratePerSecond.toFixed(0)} / ${r.latency.targetRatePerSecond.toFixed(0)}`)],
      ['server CPU s / 1000 tasks', '—', '—', ...runs.map((r) => r.costPer1000.server?.cpuSeconds ?? NaN)],
      ['server peak RSS MB', '—', '—', ...runs.map((r) => r.costPer1000.server?.peakRssMb ?? NaN)],
      ['server RSS MB, median of each quarter', '—', '—', ...runs.map((r) => (r.serverRssQuarters.length ? r.serverRssQuarters.map((m) => m.toFixed(0)).join(' / ') : 'n/a'))],
      ['worker CPU s / 1000 tasks', '—', '—', ...runs.map((r) => r.costPer1000.worker?.cpuSeconds ?? NaN)],
      ['worker peak RSS MB', '—', '—', ...runs.map((r) => r.costPer1000.worker?.peakRssMb ?? NaN)],
      ['machine busy (fraction of all cores)', ceilingRaw?.machineBusyFraction ?? NaN, '—', ...runs.map((r) => r.cpuBudget?.machineBusyFraction ?? NaN)],
      cpuRow('machine CPU s / 1000 tasks (server, worker: above)', 'machine'),
      cpuRow('  RabbitMQ', 'rabbitmq'),
      cpuRow('  PostgreSQL', 'postgresql'),
      ...(o.schedulers > 1 ? [cpuRow(`  ${o.schedulers - 1} more scheduler replicas`, 'schedulers', '—')] : []),
      cpuRow('  bench client (ceiling: its clients)', 'bench'),
      cpuRow('  other', 'other'),
    ],
  );
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `\nDANE for Node benchmark — ${o.tasks} tasks, worker concurrency ${o.workers} × prefetch ${o.prefetch}${o.schedulers > 1 ? `, ${o.schedulers} scheduler replicas` : ''}, server MALLOC_ARENA_MAX ${o.serverMallocArenaMax}, node ${process.version}, ${cpus().length} cores, load average ${load}\n`,
  );
  console.log(table);
  console.log(`\nceiling: ${ceiling.configuration}\nprefetch-1 ceiling: ${ceilingP1.configuration}`);
  const result = {
    date: new Date().toISOString(),
    options: { tasks: o.tasks, workers: o.workers, prefetch: o.prefetch, schedulers: o.schedulers },
    machine: { cores: cpus().length, loadAverage: loadavg() },
    ceiling: { ...ceiling, cpuBudget: ceilingRaw },
    ceilingPrefetchOne: ceilingP1,
    ceilingAfterRuns: ceilingAfter,
    runs,
  };
  mkdirSync(join(o.out, '..'), { recursive: true });
  writeFileSync(o.out, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nfigures written to ${o.out}`);
  agent.destroy();
}

main().catch((e) => {
  console.error(`bench: ${e.message ?? e}${e.cause ? ` (${e.cause.code ?? ''} ${e.cause.message ?? e.cause})` : ''}`);
  process.exit(1);
});
