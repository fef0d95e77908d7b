import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../support/net';
import { NodeProcess } from '../support/node-process';
import { sleep, waitFor } from '../support/polling';

export { sleep };

/**
 * Private infrastructure for the fault suite and the soak: a RabbitMQ node and a PostgreSQL
 * cluster of our own (the shared servers on 5672/5432 are never touched: other suites use them at
 * the same time), the compiled single-machine server and faultkit workers as child processes, and
 * the checks (lost, stuck, duplicated) read straight from our own database.
 */

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const SERVER_ENTRY = join(DIST, 'apps', 'dane', 'src', 'main.js');
const WORKER_ENTRY = join(DIST, 'workers', 'faultkit', 'main.js');

/** resultQueueName() of the default response queue. */
const RESULT_QUEUE = 'DANE-results';
const RABBIT_BIN = '/usr/lib/rabbitmq/bin';
const RABBIT_HOME = '/var/lib/rabbitmq';
const PG_BIN = process.env.FAULT_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const IS_ROOT = process.getuid?.() === 0;

export const say = (s: string) => process.stderr.write(`fault: ${s}\n`);

function assertBuilt(): void {
  for (const f of [SERVER_ENTRY, WORKER_ENTRY]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first (the suite runs the compiled server and workers)`);
  }
}

function run(cmd: string, args: string[], timeoutMs = 60_000, env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, env: env ?? process.env, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`.slice(0, 2000)));
      else resolve(stdout);
    });
  });
}

/** Runs a command as `user` when we are root (RabbitMQ and PostgreSQL refuse to run as root). */
function asUser(user: string, cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs?: number): Promise<string> {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  if (IS_ROOT) return run('runuser', ['-u', user, '--', 'env', ...envArgs, cmd, ...args], timeoutMs);
  return run(cmd, args, timeoutMs, { ...process.env, ...env });
}

function privateDir(prefix: string, owner?: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (IS_ROOT && owner) {
    const uid = Number(
      readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${owner}:`))
        ?.split(':')[2],
    );
    const gid = Number(
      readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${owner}:`))
        ?.split(':')[3],
    );
    if (Number.isInteger(uid)) chownSync(dir, uid, gid);
  }
  return dir;
}

/** A RabbitMQ node of our own: `dane-fault-<rand>@localhost` on a free loopback port. */
class PrivateRabbit {
  readonly node = `dane-fault-${randomBytes(4).toString('hex')}@localhost`;
  port = 0;
  distPort = 0;
  dir = '';

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    for (let tries = 0; ; tries++) {
      this.port = await freePort(2);
      this.distPort = this.port + 1;
      this.dir = privateDir('dane-fault-rmq-', 'rabbitmq');
      const conf = [`listeners.tcp.1 = 127.0.0.1:${this.port}`, 'loopback_users = none', 'log.console = false', 'log.file.level = warning'].join('\n');
      writeFileSync(join(this.dir, 'rabbitmq.conf'), conf + '\n');
      writeFileSync(join(this.dir, 'enabled_plugins'), '[].\n');
      if (IS_ROOT) await run('chown', ['-R', 'rabbitmq:rabbitmq', this.dir]);
      await asUser('rabbitmq', join(RABBIT_BIN, 'rabbitmq-server'), ['-detached'], {
        HOME: RABBIT_HOME,
        RABBITMQ_NODENAME: this.node,
        RABBITMQ_DIST_PORT: String(this.distPort),
        RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(this.dir, 'log'),
        RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
        RABBITMQ_PID_FILE: join(this.dir, 'pid'),
      });
      try {
        await this.awaitStartup(40_000);
        return;
      } catch (e) {
        await this.stop().catch(() => undefined);
        if (tries >= 1) throw e;
        say(`private RabbitMQ did not start (${(e as Error).message.split('\n')[0]}); trying another port`);
      }
    }
  }

  ctl(args: string[], timeoutMs = 60_000): Promise<string> {
    return asUser('rabbitmq', join(RABBIT_BIN, 'rabbitmqctl'), ['-n', this.node, ...args], { HOME: RABBIT_HOME }, timeoutMs);
  }

  async awaitStartup(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last: Error | undefined;
    while (Date.now() < until) {
      try {
        await this.ctl(['await_startup', '--timeout', '10'], 15_000);
        if (await canConnect(this.port)) return;
      } catch (e) {
        last = e as Error;
      }
      await sleep(300);
    }
    throw new Error(`private RabbitMQ ${this.node} did not start: ${last?.message ?? 'port closed'}`);
  }

  async stopApp(): Promise<void> {
    await this.ctl(['stop_app']);
  }

  async startApp(): Promise<void> {
    await this.ctl(['start_app']);
    await this.awaitStartup();
  }

  async closeAllConnections(): Promise<void> {
    await this.ctl(['close_all_connections', 'fault injection']);
  }

  async queueDepth(queue: string): Promise<number | undefined> {
    const out = await this.ctl(['list_queues', '--quiet', '--no-table-headers', 'name', 'messages']);
    for (const line of out.split('\n')) {
      const [name, n] = line.trim().split(/\s+/);
      if (name === queue) return Number(n);
    }
    return undefined;
  }

  /** Waits (up to `timeoutMs`) for the queue to be empty: 0 once it is, else its depth when the time is up. */
  async drain(queue: string, timeoutMs: number): Promise<number | undefined> {
    const empty = await waitFor(`${queue} to drain`, async () => (await this.queueDepth(queue)) === 0, timeoutMs, 250).catch(() => false);
    return empty ? 0 : this.queueDepth(queue);
  }

  async stop(): Promise<void> {
    if (!this.dir) return;
    await this.ctl(['stop'], 30_000).catch(() => undefined);
    const pid = Number(readFileSafe(join(this.dir, 'pid')));
    if (pid > 0) killQuietly(pid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = '';
  }
}

/** A PostgreSQL cluster of our own (initdb in a temporary folder, trust auth, loopback only). */
class PrivatePostgres {
  port = 0;
  dir = '';

  url(db = 'dane'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private get options(): string {
    // fsync off: a test cluster; `restart -m fast` still exercises a real server restart.
    return `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  }

  async start(): Promise<void> {
    this.dir = privateDir('dane-fault-pg-', 'postgres');
    this.port = await freePort();
    await asUser('postgres', join(PG_BIN, 'initdb'), ['-D', this.data, '-U', 'postgres', '--auth=trust', '-N', '-E', 'UTF8'], {}, 120_000);
    await this.pgctl(['start']);
    const c = new Client({ connectionString: this.url('postgres') });
    await c.connect();
    await c.query('CREATE DATABASE dane');
    await c.end();
  }

  private pgctl(args: string[]): Promise<string> {
    return asUser('postgres', join(PG_BIN, 'pg_ctl'), ['-D', this.data, '-o', this.options, '-l', join(this.dir, 'log'), '-w', '-t', '60', ...args], {}, 90_000);
  }

  /** The fault: a fast restart (every connection is terminated). */
  async restart(): Promise<void> {
    await this.pgctl(['restart', '-m', 'fast']);
  }

  async stop(): Promise<void> {
    if (!this.dir) return;
    await this.pgctl(['stop', '-m', 'immediate']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = '';
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = require('node:net').connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function readFileSafe(f: string): string {
  try {
    return readFileSync(f, 'utf8').trim();
  } catch {
    return '';
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * A compiled entry point of dist/ that the fault suite kills and starts again: each start() is a
 * new shared NodeProcess; the counts of structured log events add up over all of its lives.
 */
export class FaultProcess {
  process?: NodeProcess;
  readonly events = new Map<string, number>();
  starts = 0;

  constructor(
    readonly name: string,
    readonly entry: string,
    readonly env: Record<string, string>,
    readonly cwd: string,
  ) {}

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get alive(): boolean {
    return !!this.process?.running;
  }

  start(): void {
    this.starts++;
    this.process = new NodeProcess(this.name, this.entry, this.env, this.cwd, {
      baseEnv: 'inherit',
      maxLines: 200,
      onUnexpectedExit: (exit, p) => say(`${this.name} exited unexpectedly (${exit.code ?? exit.signal})\n${p.tail(30)}`),
    });
    this.process.onLine((line) => {
      const m = /\\?"event\\?":\\?"([a-z_]+)/.exec(line);
      if (m) this.events.set(m[1], (this.events.get(m[1]) ?? 0) + 1);
    });
  }

  logTail(n = 30): string {
    return this.process?.tail(n) ?? '';
  }

  count(event: string): number {
    return this.events.get(event) ?? 0;
  }

  /** The fault: SIGKILL, and wait for the exit. */
  async kill(): Promise<void> {
    if (!this.process?.running) return;
    this.process.kill('SIGKILL');
    await this.process.exited;
  }

  async stop(): Promise<void> {
    await this.process?.stop(10_000);
  }
}

export interface WorldOptions {
  leaseSeconds?: number;
  workers?: number;
  concurrency?: number;
  sleepMs?: string;
  results?: boolean;
  logLevel?: string;
  /** Every second worker acks on acceptance (default true). */
  earlyAck?: boolean;
  extraServerEnv?: Record<string, string>;
}

/** One private world: broker, database, the single-machine server and N faultkit workers. */
export class FaultWorld {
  readonly rabbit = new PrivateRabbit();
  readonly pg = new PrivatePostgres();
  readonly home = mkdtempSync(join(tmpdir(), 'dane-fault-home-'));
  readonly traceFile = join(this.home, 'runs.trace');
  readonly responseQueue = 'DANE-response-queue';
  server!: FaultProcess;
  workers: FaultProcess[] = [];
  apiPort = 0;
  db!: Client;
  readonly leaseSeconds: number;

  constructor(readonly options: WorldOptions = {}) {
    this.leaseSeconds = options.leaseSeconds ?? 2;
  }

  get api(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  async start(): Promise<void> {
    assertBuilt();
    mkdirSync(join(this.home, 'cwd'), { recursive: true });
    await Promise.all([this.rabbit.start(), this.pg.start()]);
    this.apiPort = await freePort();
    const common = {
      DANE_HOME: this.home,
      DANE_RABBITMQ__HOST: '127.0.0.1',
      DANE_RABBITMQ__PORT: String(this.rabbit.port),
      DANE_RABBITMQ__MANAGEMENT: 'false',
      DANE_RABBITMQ__HEARTBEAT: '5',
      DANE_LOGGING__LEVEL: this.options.logLevel ?? 'INFO',
    };
    this.server = new FaultProcess(
      'server',
      SERVER_ENTRY,
      {
        ...common,
        DANE_DANE__HOST: '127.0.0.1',
        DANE_DANE__PORT: String(this.apiPort),
        DANE_STORAGE__TYPE: 'postgres',
        DANE_STORAGE__POSTGRES_URL: this.pg.url(),
        DANE_SCHEDULER__LEASE_SECONDS: String(this.leaseSeconds),
        DANE_SCHEDULER__SWEEP_INTERVAL_MS: '250',
        DANE_AUTH__ENABLED: 'false',
        ...this.options.extraServerEnv,
      },
      join(this.home, 'cwd'),
    );
    await this.startServer();
    this.db = new Client({ connectionString: this.pg.url() });
    this.db.on('error', () => undefined); // reconnected by query() after a PostgreSQL restart
    await this.db.connect();
    const n = this.options.workers ?? 2;
    for (let i = 0; i < n; i++) {
      const w = new FaultProcess(
        `worker-${i + 1}`,
        WORKER_ENTRY,
        {
          ...common,
          FAULTKIT_CONCURRENCY: String(this.options.concurrency ?? 4),
          FAULTKIT_SLEEP_MS: this.options.sleepMs ?? '50-250',
          FAULTKIT_RESULTS: this.options.results === false ? '0' : '1',
          FAULTKIT_TRACE_FILE: this.traceFile,
          // Every second worker acknowledges on acceptance: a SIGKILL there leaves recovery to the lease alone.
          ...(i % 2 === 1 && this.options.earlyAck !== false ? { FAULTKIT_ACK_DEADLINE_MS: '0' } : {}),
        },
        join(this.home, 'cwd'),
      );
      w.start();
      this.workers.push(w);
    }
    // The workers declare and bind their queue; before that every task would be unroutable (422).
    await waitFor('the faultkit queue to have consumers', async () => (await this.consumers('faultkit')) >= n, 30_000, 200);
  }

  async startServer(): Promise<void> {
    this.server.start();
    await waitFor('the server to answer /health', async () => (await fetch(`${this.api}/health`)).ok, 60_000, 100);
  }

  async consumers(queue: string): Promise<number> {
    const out = await this.rabbit.ctl(['list_queues', '--quiet', '--no-table-headers', 'name', 'consumers']);
    for (const line of out.split('\n')) {
      const [name, n] = line.trim().split(/\s+/);
      if (name === queue) return Number(n);
    }
    return 0;
  }

  async stop(): Promise<void> {
    await this.db?.end().catch(() => undefined);
    await Promise.all(this.workers.map((w) => w.stop()));
    await this.server?.stop();
    await Promise.all([this.rabbit.stop(), this.pg.stop()]);
    rmSync(this.home, { recursive: true, force: true });
  }

  /** A query on our private database that rides out a restart of it. */
  async query<R = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> {
    for (let i = 0; ; i++) {
      try {
        return (await this.db.query(text, params)).rows as R[];
      } catch (e) {
        if (i >= 50) throw e;
        await this.db.end().catch(() => undefined);
        await sleep(200);
        this.db = new Client({ connectionString: this.pg.url() });
        this.db.on('error', () => undefined);
        await this.db.connect().catch(() => undefined);
      }
    }
  }

  async call(method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(this.api + path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  }

  /** n documents `<prefix>-<i>` with one FAULTKIT task each, through the REST API (bulk routes). */
  async submit(prefix: string, n: number, first = 0, key = 'FAULTKIT'): Promise<void> {
    for (let i = 0; i < n; i += 1000) {
      const docs = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
        target: { id: `${prefix}-${first + i + j}`, url: `http://example.org/${prefix}/${first + i + j}.mp4`, type: 'Video' },
        creator: { id: 'faultkit', type: 'Software' },
      }));
      const r = await this.call('POST', '/DANE/documents/', docs);
      if (r.failed?.length) throw new Error(`registration failed: ${JSON.stringify(r.failed[0])}`);
      const ids = r.success.map((d: { _id: string }) => d._id);
      const t = await this.call('POST', '/DANE/task/', { document_id: ids, key });
      if (t.failed?.length) throw new Error(`assignment failed: ${JSON.stringify(t.failed[0])}`);
    }
  }

  /** Task states of one phase. */
  async stateCounts(prefix: string): Promise<Record<string, number>> {
    const rows = await this.query<{ state: number; n: string }>(
      `SELECT t.state, count(*) AS n FROM tasks t JOIN documents d ON d.id = t.document_id WHERE d.target_id LIKE $1 GROUP BY t.state`,
      [`${prefix}-%`],
    );
    return Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
  }

  /** Seconds by which the most overdue 102 task of the phase is past its lease (0 if none). */
  async maxOverdueSeconds(prefix: string): Promise<number> {
    const rows = await this.query<{ s: number | null }>(
      `SELECT max(extract(epoch FROM now() - t.lease_until))::float AS s FROM tasks t JOIN documents d ON d.id = t.document_id
       WHERE d.target_id LIKE $1 AND t.state = 102 AND t.lease_until < now()`,
      [`${prefix}-%`],
    );
    return Math.max(0, Number(rows[0]?.s ?? 0));
  }

  /** Every worker process (re)started that died. */
  ensureWorkers(): void {
    for (const w of this.workers) if (!w.alive) w.start();
  }

  runsTraced(): Map<string, Set<string>> {
    const runs = new Map<string, Set<string>>();
    for (const line of readFileSafe(this.traceFile).split('\n')) {
      const [tag, task, , run] = line.split(' ');
      if (tag !== 'RUN' || !run) continue;
      if (!runs.has(task)) runs.set(task, new Set());
      runs.get(task)!.add(run);
    }
    return runs;
  }
}

export interface PhaseRow {
  fault: string;
  injected: number;
  tasks: number;
  done: number;
  lost: number;
  stuck: number;
  duplicated: number;
  /** Results beyond one per task that do NOT come from a second execution (a dedup failure). */
  unexplained: number;
  /** Executions beyond one per task (traced by the worker). */
  reruns: number;
  /** Tasks in 200 without any result. */
  noResult: number;
  maxOverdueS: number;
  /** Messages left in the worker queue when the phase ended (stale duplicates still to be run). */
  queueLeft: number;
  /** Highest dispatch attempt of a task in the phase. */
  maxAttempt: number;
  seconds: number;
  states: Record<string, number>;
  /** What the tasks that did not reach 200 say (state, msg, count). */
  notDone: Array<{ state: number; msg: string; n: number }>;
}

/**
 * Submits n tasks, runs `inject` while they are in flight, waits for every task to reach 200 (or the
 * timeout), then counts. Lost = submitted − in 200; stuck = in 102 more than 2 s past their lease at
 * the end; duplicated = results beyond one per task; unexplained = duplicated results that carry the
 * same run id (stored twice for one execution) or a run id the worker never traced.
 */
export interface PhaseOptions {
  /** Tasks submitted but not yet in 200, at most (a stream). Infinity = all at once (a burst). */
  outstanding?: number;
  timeoutMs: number;
}

export async function runPhase(world: FaultWorld, fault: string, n: number, inject: (prefix: string) => Promise<number>, options: PhaseOptions): Promise<PhaseRow> {
  const prefix = `${fault.replace(/[^a-z0-9]+/gi, '_')}-${randomBytes(3).toString('hex')}`;
  const t0 = Date.now();
  const outstanding = options.outstanding ?? 100;
  const timeoutMs = options.timeoutMs;
  // Stale duplicates of the previous phase first: every phase starts with an empty worker queue.
  if ((await world.rabbit.drain('faultkit', 30_000)) !== 0) say(`[${fault}] the worker queue did not drain before the phase`);
  say(`[${fault}] streaming ${n} tasks (at most ${outstanding} outstanding)`);
  // The feeder: chunks of 50 through the REST API while fewer than `outstanding` are unfinished. A
  // chunk that fails (server down) is retried under new ids; what counts is what the store holds.
  let submitted = 0;
  let chunk = 0;
  const feeder = (async () => {
    while (submitted < n && Date.now() - t0 < timeoutMs) {
      const c = outstanding === Infinity ? {} : await world.stateCounts(prefix).catch(() => null);
      if (!c) {
        await sleep(200);
        continue;
      }
      const unfinished = Object.entries(c).reduce((sum, [state, k]) => (state === '200' ? sum : sum + k), 0);
      if (unfinished >= outstanding) {
        await sleep(50);
        continue;
      }
      const size = Math.min(outstanding === Infinity ? 1000 : 50, n - submitted);
      try {
        await world.submit(prefix, size, 1000 * chunk++);
        submitted += size;
      } catch {
        await sleep(300);
      }
    }
  })();
  await sleep(300);
  let maxOverdue = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      maxOverdue = Math.max(maxOverdue, await world.maxOverdueSeconds(prefix).catch(() => 0));
      await sleep(500);
    }
  })();
  const injected = await inject(prefix);
  await feeder;
  world.ensureWorkers();
  let states: Record<string, number> = {};
  const until = Date.now() + timeoutMs;
  let lastLog = 0;
  while (Date.now() < until) {
    states = await world.stateCounts(prefix);
    const total = Object.values(states).reduce((a, b) => a + b, 0);
    if (total >= n && (states['200'] ?? 0) >= total) break;
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      say(`[${fault}] ${JSON.stringify(states)}`);
    }
    await sleep(200);
  }
  sampling = false;
  await sampler;
  // Results travel on their own queue: give the last ones a moment to be stored.
  await waitFor('the result queue to drain', async () => (await world.rabbit.queueDepth(RESULT_QUEUE).catch(() => 0)) === 0, 15_000, 200).catch(() => undefined);
  await sleep(300);
  const rows = await world.query<{ id: string; state: number; overdue: boolean; results: string; runs: string[] | null }>(
    `SELECT t.id, t.state, (t.state = 102 AND t.lease_until < now() - interval '2 seconds') AS overdue,
            count(r.id) AS results, array_agg(r.payload->>'run') FILTER (WHERE r.id IS NOT NULL) AS runs
     FROM tasks t JOIN documents d ON d.id = t.document_id LEFT JOIN results r ON r.task_id = t.id
     WHERE d.target_id LIKE $1 GROUP BY t.id, t.state, t.lease_until`,
    [`${prefix}-%`],
  );
  const notDone = await world.query<{ state: number; msg: string; n: number }>(
    `SELECT t.state, left(t.msg, 200) AS msg, count(*)::int AS n FROM tasks t JOIN documents d ON d.id = t.document_id
     WHERE d.target_id LIKE $1 AND t.state <> 200 GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 5`,
    [`${prefix}-%`],
  );
  const [{ max: maxAttempt }] = await world.query<{ max: number }>(
    `SELECT coalesce(max(t.attempt), 0)::int AS max FROM tasks t JOIN documents d ON d.id = t.document_id WHERE d.target_id LIKE $1`,
    [`${prefix}-%`],
  );
  const traced = world.runsTraced();
  let done = 0;
  let stuck = 0;
  let duplicated = 0;
  let unexplained = 0;
  let reruns = 0;
  let noResult = 0;
  for (const r of rows) {
    const results = Number(r.results);
    if (r.state === 200) done++;
    if (r.overdue) stuck++;
    if (r.state === 200 && results === 0) noResult++;
    duplicated += Math.max(0, results - 1);
    const runs = r.runs ?? [];
    const seen = new Set<string>();
    const tracedRuns = traced.get(r.id) ?? new Set<string>();
    reruns += Math.max(0, tracedRuns.size - 1);
    for (const run of runs) {
      if (seen.has(run) || !tracedRuns.has(run)) unexplained++;
      seen.add(run);
    }
  }
  const queueLeft = (await world.rabbit.queueDepth('faultkit').catch(() => undefined)) ?? -1;
  return {
    fault,
    injected,
    tasks: rows.length,
    done,
    lost: Math.max(n, rows.length) - done,
    queueLeft,
    stuck,
    duplicated,
    unexplained,
    reruns,
    noResult,
    maxOverdueS: Math.round(maxOverdue * 10) / 10,
    maxAttempt,
    notDone,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
    states,
  };
}

export function formatPhaseTable(rows: PhaseRow[]): string {
  const head = [
    'fault',
    'times injected',
    'tasks',
    'lost',
    'stuck',
    'duplicated',
    'dup w/o rerun',
    'reruns',
    '200 w/o result',
    'max attempt',
    'queue left',
    'max overdue s',
    'seconds',
  ];
  const body = rows.map((r) =>
    [r.fault, r.injected, r.tasks, r.lost, r.stuck, r.duplicated, r.unexplained, r.reruns, r.noResult, r.maxAttempt, r.queueLeft, r.maxOverdueS, r.seconds].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line)].join('\n');
}

const ATTEMPT = 'x-dane-attempt';

export interface PoisonKind {
  kind: string;
  body: Buffer;
  /** Which task it names: an unknown id, or an in-flight task with its current attempt, or with a stale one. */
  target: 'unknown' | 'current' | 'stale' | 'none';
  headers?: Record<string, unknown>;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

/**
 * Every kind of bad reply (principle 9: acknowledged, logged, counted, changes nothing). Malformed
 * bodies go to in-flight tasks with their CURRENT attempt (so only the body can make the server
 * ignore them); well-formed bodies go to unknown ids or carry a stale attempt.
 */
export function poisonKinds(hugeBytes = 4 << 20): PoisonKind[] {
  return [
    { kind: 'non-JSON', body: Buffer.from('this is not { json', 'utf8'), target: 'current' },
    { kind: 'empty body', body: Buffer.alloc(0), target: 'current' },
    { kind: 'JSON array', body: json([{ state: 200, message: 'in an array' }]), target: 'current' },
    { kind: 'JSON null', body: Buffer.from('null'), target: 'current' },
    { kind: 'missing state', body: json({ message: 'no state here' }), target: 'current' },
    { kind: 'state as word', body: json({ state: 'done', message: 'state is a word' }), target: 'current' },
    { kind: 'state as float', body: json({ state: 200.5, message: 'state is a float' }), target: 'current' },
    { kind: 'unknown state code', body: json({ state: 299, message: 'no such state' }), target: 'current' },
    { kind: 'state 409', body: json({ state: 409, message: 'never stored' }), target: 'current' },
    { kind: 'double-encoded garbage', body: json(JSON.stringify('just a string')), target: 'current' },
    { kind: 'double-encoded reply, stale attempt', body: json(JSON.stringify({ state: 500, message: 'double-encoded, stale' })), target: 'stale' },
    { kind: 'state as string "200", stale attempt', body: json({ state: '200', message: 'stale string state' }), target: 'stale' },
    { kind: '412 dependencies not a list', body: json({ state: 412, message: 'bad deps', dependencies: 'DOWNLOAD' }), target: 'current' },
    { kind: '412 dependencies numbers', body: json({ state: 412, message: 'bad deps', dependencies: [42, null] }), target: 'current' },
    { kind: '412 dependencies, stale attempt', body: json({ state: 412, message: 'stale deps', dependencies: ['DOWNLOAD', { key: '' }] }), target: 'stale' },
    { kind: 'stale attempt 500', body: json({ state: 500, message: 'stale failure' }), target: 'stale' },
    { kind: 'stale attempt 200', body: json({ state: 200, message: 'stale success' }), target: 'stale' },
    { kind: 'bad attempt header', body: json({ state: 200, message: 'bad header' }), target: 'current', headers: { [ATTEMPT]: 'abc' } },
    { kind: 'unknown task id 200', body: json({ state: 200, message: 'who?' }), target: 'unknown' },
    { kind: 'unknown task id 412', body: json({ state: 412, message: 'who?', dependencies: ['X'] }), target: 'unknown' },
    { kind: 'no correlation id', body: json({ state: 200, message: 'nobody' }), target: 'none' },
    { kind: 'huge body', body: Buffer.concat([Buffer.from('{"state":500,"message":"'), Buffer.alloc(hugeBytes, 0x61), Buffer.from('"')]), target: 'current' },
    { kind: 'huge body, stale attempt', body: json({ state: 500, message: 'x'.repeat(hugeBytes) }), target: 'stale' },
    { kind: 'invalid UTF-8 (structure)', body: Buffer.from([0x7b, 0x22, 0x73, 0x74, 0x61, 0x74, 0x65, 0x22, 0x3a, 0xff, 0xfe, 0x7d]), target: 'current' },
    {
      kind: 'invalid UTF-8 (in a string), stale attempt',
      body: Buffer.concat([Buffer.from('{"state":500,"message":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
      target: 'stale',
    },
  ];
}

/**
 * Publishes `rounds` rounds of every poison kind straight to the response queue while the phase's
 * tasks are in flight. Returns how many messages were published.
 */
export async function publishPoison(world: FaultWorld, prefix: string, rounds: number, kinds = poisonKinds()): Promise<number> {
  const amqp = await import('amqplib');
  const conn = await amqp.connect(world.rabbit.url);
  const ch = await conn.createConfirmChannel();
  let sent = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const inFlight = await world.query<{ id: string; attempt: number }>(
        `SELECT t.id, t.attempt FROM tasks t JOIN documents d ON d.id = t.document_id WHERE d.target_id LIKE $1 AND t.state = 102 ORDER BY random() LIMIT 50`,
        [`${prefix}-%`],
      );
      if (inFlight.length === 0) break;
      let i = 0;
      for (const k of kinds) {
        const task = inFlight[i++ % inFlight.length];
        const headers: Record<string, unknown> = {};
        let correlationId: string | undefined = task.id;
        if (k.target === 'current') headers[ATTEMPT] = task.attempt;
        else if (k.target === 'stale') headers[ATTEMPT] = task.attempt - 1;
        else if (k.target === 'unknown') correlationId = randomBytes(20).toString('hex');
        else correlationId = undefined;
        Object.assign(headers, k.headers ?? {});
        await new Promise<void>((resolve, reject) =>
          ch.sendToQueue(world.responseQueue, k.body, { correlationId, persistent: true, headers }, (err) => (err ? reject(err) : resolve())),
        );
        sent++;
      }
      await sleep(150);
    }
  } finally {
    await ch.close().catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
  return sent;
}
