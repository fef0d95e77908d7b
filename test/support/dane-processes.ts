import * as amqp from 'amqplib';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEST_POSTGRES_URL, adminQuery } from '@dane/core/storage/sql/postgres-test-db';
import { freePort } from './net';
import { NodeProcess, REPO_ROOT } from './node-process';
import { sleep, waitFor } from './polling';

export { freePort, sleep, waitFor, NodeProcess, REPO_ROOT };

/**
 * Real processes for the cross-process tests: the compiled single-machine server and SDK workers
 * as child processes, a fresh PostgreSQL database, and (when a test needs broker settings the
 * shared RabbitMQ must not get) a private RabbitMQ node. Everything is created per test file and
 * removed afterwards; every wait is bounded.
 */

const BUILD_TIMEOUT_MS = 240_000;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err as Error, { message: `${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}` }));
      else resolvePromise({ stdout, stderr });
    });
  });
}

export interface Build {
  /** Folder holding apps/, libs/, workers/ compiled (like dist/). */
  dir: string;
  remove(): Promise<void>;
}

/**
 * Compiles the tree (tsconfig.build.json: apps, libs, workers, bench) into a folder of this test
 * file's own, so it never races the shared dist/ that other people build and run. Type errors do
 * not stop the emit (`--noCheck`; `npx tsc --noEmit` is the type check); aliases are rewritten by
 * tsc-alias as in `npm run build`. Child processes resolve packages through NODE_PATH.
 */
export async function buildPrivateDist(label: string): Promise<Build> {
  const dir = await mkdtemp(join(tmpdir(), `dane-e2e-build-${label}-`));
  const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name);
  await run(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', dir, '--noCheck'], { cwd: REPO_ROOT, timeoutMs: BUILD_TIMEOUT_MS });
  await run(bin('tsc-alias'), ['-p', 'tsconfig.build.json', '--outDir', dir], { cwd: REPO_ROOT, timeoutMs: 60_000 });
  for (const f of ['apps/dane/src/main.js', 'workers/testkit/main.js']) {
    if (!existsSync(join(dir, f))) throw new Error(`The build did not produce ${f} in ${dir}`);
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Builds the example workers and the SDK exactly as they ship (`tsc` + `tsc-alias` into dist/),
 * so process-level tests run `node dist/workers/<name>/main.js` like an operator would.
 */
export function buildWorkers(): void {
  const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name);
  const project = join(REPO_ROOT, 'workers', 'tsconfig.build.json');
  execFileSync(bin('tsc'), ['-p', project], { cwd: REPO_ROOT, stdio: 'pipe' });
  execFileSync(bin('tsc-alias'), ['-p', project], { cwd: REPO_ROOT, stdio: 'pipe' });
}

export interface TestDatabase {
  name: string;
  url: string;
  query<R extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** A database of its own on the test server (the apps migrate it on start), dropped with FORCE afterwards. */
export async function createDatabase(label: string): Promise<TestDatabase> {
  const name = `dane_e2e_${label}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return {
    name,
    url: url.toString(),
    query: async (text, params = []) => (await client.query(text, params)).rows,
    drop: async () => {
      await client.end().catch(() => undefined);
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Names of this file's broker objects on whichever RabbitMQ it uses. */
export class BrokerNames {
  readonly id = randomBytes(4).toString('hex');
  readonly exchange: string;
  readonly responseQueue: string;
  readonly resultQueue: string;
  readonly eventsExchange: string;

  constructor(label: string) {
    this.exchange = `DANE-exchange-e2e-${label}-${this.id}`;
    this.eventsExchange = `DANE-events-e2e-${label}-${this.id}`;
    this.responseQueue = `DANE-e2e-${label}-${this.id}-response-queue`;
    // resultQueueName(): the response queue's name without `-response-queue`, plus the suffix.
    this.resultQueue = `DANE-e2e-${label}-${this.id}-results`;
  }

  /** A task key of this file only, so workers of other files never share its queue. */
  key(name: string): string {
    return `${name}${this.id}`.toUpperCase();
  }

  /** Removes the exchange and the queues (server's and workers'; the schedulers' exclusive wake-up queues go with their connections) from the broker at `amqpUrl`. */
  async cleanup(amqpUrl: string, workerQueues: string[]): Promise<void> {
    const conn = await amqp.connect(amqpUrl);
    try {
      for (const q of [...workerQueues, this.responseQueue, this.resultQueue, `${this.resultQueue}-dead`]) {
        const ch = await conn.createChannel();
        await ch.deleteQueue(q).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
      const ch = await conn.createChannel();
      await ch.deleteExchange(this.exchange).catch(() => undefined);
      await ch.deleteExchange(this.eventsExchange).catch(() => undefined);
      await ch.close().catch(() => undefined);
    } finally {
      await conn.close().catch(() => undefined);
    }
  }
}

export interface DaneSetup {
  build: Build;
  db: TestDatabase;
  names: BrokerNames;
  home: string;
  amqpPort: number;
}

/** The environment every process of one setup shares (broker, topology, DANE_HOME). */
export function commonEnv(s: DaneSetup): Record<string, string> {
  return {
    DANE_HOME: s.home,
    DANE_RABBITMQ__HOST: '127.0.0.1',
    DANE_RABBITMQ__PORT: String(s.amqpPort),
    DANE_RABBITMQ__EXCHANGE: s.names.exchange,
    DANE_RABBITMQ__RESPONSE_QUEUE: s.names.responseQueue,
    DANE_RABBITMQ__EVENTS_EXCHANGE: s.names.eventsExchange,
    DANE_RABBITMQ__MANAGEMENT: 'false',
  };
}

/** The single-machine server (`node dist/apps/dane/src/main.js`) against the setup's database and broker. */
export class DaneServer {
  readonly token = randomBytes(24).toString('hex');
  process!: NodeProcess;
  port!: number;

  constructor(
    private readonly setup: DaneSetup,
    private readonly scheduler: Record<string, number>,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 60_000): Promise<this> {
    this.port = await freePort();
    const env: Record<string, string> = {
      ...commonEnv(this.setup),
      DANE_DANE__HOST: '127.0.0.1',
      DANE_DANE__PORT: String(this.port),
      DANE_DANE__API_URL: `${this.baseUrl}/DANE/`,
      DANE_STORAGE__TYPE: 'postgres',
      DANE_STORAGE__POSTGRES_URL: this.setup.db.url,
      DANE_STORAGE__POOL_SIZE: '4',
      // An admin key from the environment, so the test can call the API whether or not auth is on.
      DANE_AUTH__ADMIN_TOKEN: this.token,
    };
    for (const [k, v] of Object.entries(this.scheduler)) env[`DANE_SCHEDULER__${k}`] = String(v);
    this.process = new NodeProcess('server', join(this.setup.build.dir, 'apps/dane/src/main.js'), env, this.setup.home);
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (!this.process.running) throw new Error(`The server exited during start-up\n${this.process.tail()}`);
      try {
        const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return this;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`The server did not answer /health within ${timeoutMs} ms\n${this.process.tail()}`);
      await sleep(200);
    }
  }

  async api<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : (undefined as T);
  }

  /** Registers a document and assigns `key` to it through the REST API; returns the task id. */
  async submit(key: string, args: Record<string, unknown> = {}): Promise<{ documentId: string; taskId: string }> {
    const doc = await this.api('POST', '/DANE/document/', {
      target: { id: `ITM-e2e-${randomBytes(6).toString('hex')}`, url: 'http://example.com/a.mp4', type: 'Video' },
      creator: { id: 'NISV', type: 'Organization' },
    });
    const task = await this.api('POST', '/DANE/task/', { document_id: doc._id, key, args });
    return { documentId: doc._id, taskId: task._id };
  }

  async stop(): Promise<void> {
    await this.process?.stop(15_000);
  }
}

export interface TestkitOptions {
  key: string;
  name: string;
  sleepMs?: number;
  heartbeatMs?: number;
  ackDeadlineMs?: number;
  shutdownTimeoutMs?: number;
}

/** The testkit worker (workers/testkit) as its own process, with the SDK in queue mode. */
export async function startTestkitWorker(setup: DaneSetup, o: TestkitOptions): Promise<NodeProcess> {
  const env: Record<string, string> = { ...commonEnv(setup), DANE_TESTKIT__KEY: o.key, DANE_TESTKIT__NAME: o.name };
  if (o.sleepMs !== undefined) env.DANE_TESTKIT__SLEEP_MS = String(o.sleepMs);
  if (o.heartbeatMs !== undefined) env.DANE_TESTKIT__HEARTBEAT_MS = String(o.heartbeatMs);
  if (o.ackDeadlineMs !== undefined) env.DANE_TESTKIT__ACK_DEADLINE_MS = String(o.ackDeadlineMs);
  if (o.shutdownTimeoutMs !== undefined) env.DANE_TESTKIT__SHUTDOWN_TIMEOUT_MS = String(o.shutdownTimeoutMs);
  const worker = new NodeProcess(o.name, join(setup.build.dir, 'workers/testkit/main.js'), env, setup.home);
  await worker.waitForEvent(`${o.name} consuming`, (e) => e.event === 'worker_started', 30_000);
  return worker;
}

export function testkitQueue(key: string): string {
  return `TESTKIT-${key}`;
}

/** The task's row in the store (the test reads the database the server writes). */
export async function taskRow(db: TestDatabase, id: string): Promise<{ state: number; msg: string; attempt: number; retries: number } | undefined> {
  const [row] = await db.query<{ state: number; msg: string; attempt: number; retries: number }>('SELECT state, msg, attempt, retries FROM tasks WHERE id = $1', [id]);
  return row && { ...row, state: Number(row.state) };
}

/**
 * A RabbitMQ node of this test's own (RabbitMQ 3.10 has no per-queue consumer timeout, and the
 * shared broker's global one must not change under other tests). It runs from the installed
 * server scripts, as the current user, with its own node name, ports, data and log folders, an
 * empty plugin list (no management listener to clash with) and an Erlang cookie in its own HOME.
 * `channel_tick_interval` is how often a channel checks its deliveries against consumer_timeout
 * (60 s by default, so a 3 s timeout would fire anywhere up to a minute late); 1 s makes the
 * timeout bite within a second or so of the limit.
 */
export class PrivateRabbit {
  readonly node = `dane-e2e-${randomBytes(4).toString('hex')}@localhost`;
  port!: number;
  private dir!: string;
  private env!: NodeJS.ProcessEnv;
  private started = false;

  static readonly SBIN = '/usr/lib/rabbitmq/bin';

  static available(): boolean {
    return existsSync(join(PrivateRabbit.SBIN, 'rabbitmq-server')) && existsSync(join(PrivateRabbit.SBIN, 'rabbitmqctl'));
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  async start(consumerTimeoutMs: number, timeoutMs = 90_000): Promise<this> {
    this.port = await freePort();
    const distPort = await freePort();
    this.dir = await mkdtemp(join(tmpdir(), 'dane-e2e-rabbit-'));
    for (const d of ['home', 'mnesia', 'log']) await mkdir(join(this.dir, d));
    await writeFile(join(this.dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${this.port}\nconsumer_timeout = ${consumerTimeoutMs}\n`);
    await writeFile(join(this.dir, 'advanced.config'), '[{rabbit, [{channel_tick_interval, 1000}]}].\n');
    await writeFile(join(this.dir, 'enabled_plugins'), '[].\n');
    this.env = {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      HOME: join(this.dir, 'home'),
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(this.dir, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
    };
    await run(join(PrivateRabbit.SBIN, 'rabbitmq-server'), ['-detached'], { env: this.env, timeoutMs: 30_000 });
    this.started = true;
    // `await_startup` fails at once while the node has not registered with epmd yet: retry it.
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.ctl(['await_startup', '--timeout', '30'], 40_000);
        return this;
      } catch (err) {
        if (Date.now() > until) throw new Error(`The private RabbitMQ ${this.node} did not start within ${timeoutMs} ms: ${err.message}`);
        await sleep(500);
      }
    }
  }

  /** The node's effective `rabbit` application environment (to prove the settings took). */
  async environment(): Promise<string> {
    return (await this.ctl(['environment'], 30_000)).stdout;
  }

  async stop(): Promise<void> {
    if (this.started) {
      await this.ctl(['stop'], 60_000).catch(() => undefined);
      this.started = false;
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  private ctl(args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
    return run(join(PrivateRabbit.SBIN, 'rabbitmqctl'), ['-n', this.node, ...args], { env: this.env, timeoutMs });
  }
}
