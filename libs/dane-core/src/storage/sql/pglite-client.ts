import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Logger } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { ConfigError, StorageUnavailableError } from '@dane/protocol';
import { SqlClient, SqlExecutor, SqlRows } from './sql-client';
import { translateInputError } from './sql-errors';
import { PgliteThread } from './pglite-thread';

/**
 * PostgreSQL memory settings of the PGlite instance (STORAGE.PGLITE_…), PostgreSQL sizes such as
 * '16MB'; '' leaves the setting to the data directory's postgresql.conf / PostgreSQL's default.
 * WebAssembly memory only grows, so whatever PostgreSQL once allocates stays in the process's RSS:
 * these bound what it can allocate.
 */
export interface PgliteMemorySettings {
  /** shared_buffers: allocated and zeroed at start, so all of it is resident from the first second (PostgreSQL's default: 128MB). */
  sharedBuffers?: string;
  /** wal_buffers ('' = 1/32 of shared_buffers). */
  walBuffers?: string;
  /** work_mem: per sort or hash step of one statement, before it spills to a temporary file. */
  workMem?: string;
  /** maintenance_work_mem: CREATE INDEX (migrations) and VACUUM. */
  maintenanceWorkMem?: string;
  /** temp_buffers: per session, only once a temporary table is used (the store uses none). */
  tempBuffers?: string;
  /**
   * false: V8 runs PGlite's WebAssembly on its baseline compiler (Liftoff) only, by setting the V8
   * flag --liftoff-only before PGlite starts (process-wide: any other WebAssembly the process compiles
   * later too). Optimizing PostgreSQL's large functions with TurboFan took ~100 MB of compiler memory
   * under the first load, which the C allocator keeps as RSS; throughput measured the same (2 cores).
   * true: V8 as the process was started (tier-up on, unless NODE_OPTIONS says otherwise).
   */
  wasmTierUp?: boolean;
}

/** The defaults of STORAGE.PGLITE_… (libs/protocol/src/config/defaults.ts). */
export const PGLITE_MEMORY_DEFAULTS: Required<PgliteMemorySettings> = {
  sharedBuffers: '16MB',
  walBuffers: '',
  workMem: '4MB',
  maintenanceWorkMem: '16MB',
  tempBuffers: '8MB',
  wasmTierUp: false,
};

type SizeSetting = Exclude<keyof PgliteMemorySettings, 'wasmTierUp'>;
const SETTINGS: ReadonlyArray<[SizeSetting, string, string]> = [
  ['sharedBuffers', 'shared_buffers', 'STORAGE.PGLITE_SHARED_BUFFERS'],
  ['walBuffers', 'wal_buffers', 'STORAGE.PGLITE_WAL_BUFFERS'],
  ['workMem', 'work_mem', 'STORAGE.PGLITE_WORK_MEM'],
  ['maintenanceWorkMem', 'maintenance_work_mem', 'STORAGE.PGLITE_MAINTENANCE_WORK_MEM'],
  ['tempBuffers', 'temp_buffers', 'STORAGE.PGLITE_TEMP_BUFFERS'],
];

/** STORAGE.PGLITE_… read through `get` (a ConfigService's) → PgliteMemorySettings; missing keys keep the defaults. */
export function pgliteMemoryFromConfig(get: (key: string) => unknown): PgliteMemorySettings {
  const settings: Record<string, unknown> = {};
  for (const [field, , key] of SETTINGS) {
    const value = get(key);
    if (value !== undefined && value !== null) settings[field] = value;
  }
  const tierUp = get('STORAGE.PGLITE_WASM_TIER_UP');
  if (tierUp !== undefined && tierUp !== null) settings.wasmTierUp = tierUp;
  return settings as PgliteMemorySettings;
}

const SIZE = /^[1-9][0-9]{0,9}(B|kB|MB|GB)?$/;

/**
 * PGlite's own start parameters (`--single -F …`: fsync off, as PGlite always runs; left unchanged)
 * followed by `-c name=value` for each memory setting given.
 */
export function pgliteStartParams(settings: PgliteMemorySettings = {}): string[] {
  const params = [...PGlite.defaultStartParams];
  for (const [field, name, key] of SETTINGS) {
    const value = settings[field] ?? PGLITE_MEMORY_DEFAULTS[field];
    if (value === '') continue;
    if (typeof value !== 'string' || !SIZE.test(value)) {
      throw new ConfigError(`${key} must be a PostgreSQL size such as '16MB' (B, kB, MB or GB), or '' for PostgreSQL's default (got ${JSON.stringify(value)})`);
    }
    params.push('-c', `${name}=${value}`);
  }
  return params;
}

/**
 * Creating a database (initdb) runs a second PostgreSQL in WebAssembly next to ours, restoring a
 * full copy of its heap before every step: in-process that is ~600 MB of RSS, and WebAssembly
 * memory is returned only when the garbage collector gets to it. A new data directory is therefore
 * made by a short-lived child process (in a sibling directory, renamed into place once complete, so
 * an interrupted initdb never leaves a half-made database behind). An existing database, or a
 * non-empty directory without one (PGlite reports that as before), is left alone.
 */
async function initdbOutOfProcess(dataDir: string, startParams: string[]): Promise<void> {
  const dir = resolve(dataDir);
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  if (existsSync(dir) && readdirSync(dir).length > 0) return;
  mkdirSync(dirname(dir), { recursive: true });
  const staging = mkdtempSync(join(dirname(dir), `.${basename(dir)}.initdb-`));
  try {
    await new Promise<void>((done, fail) => {
      const args = ['--liftoff-only', '-e', INITDB_SCRIPT, require.resolve('@electric-sql/pglite'), staging, JSON.stringify(startParams)];
      execFile(process.execPath, args, { maxBuffer: 4 << 20 }, (err, _out, stderr) => {
        if (err) fail(new Error(`initdb failed: ${String(stderr).trim().split('\n').slice(-3).join(' ') || err.message}`));
        else done();
      });
    });
    try {
      if (existsSync(dir)) rmdirSync(dir);
      renameSync(staging, dir);
    } catch (err) {
      // Another process made it meanwhile: use theirs.
      if (!existsSync(join(dir, 'PG_VERSION'))) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Run by `node --liftoff-only -e` with the PGlite entry point, the directory and the start parameters:
 * creates the database (PGlite then starts it once), nothing else. Its peak (~650 MB, a few seconds,
 * first start only) is initdb's, in a process that then exits.
 */
const INITDB_SCRIPT = `
const [entry, dir, startParams] = process.argv.slice(1);
require(entry).PGlite.create(dir, { startParams: JSON.parse(startParams) })
  .then((db) => db.close())
  .then(() => process.exit(0), (err) => { process.stderr.write(String((err && err.stack) || err) + '\\n'); process.exit(1); });
`;

/** How often the client looks whether PGlite is due for maintenance (PgliteSqlClient.maintainIfDue). */
const MAINTENANCE_CHECK_MS = 2_000;
/** Rows through the store after which PGlite is vacuumed and analyzed… */
const MAINTENANCE_ROWS = 20_000;
/** …or this long after the last maintenance, if anything happened at all. */
const MAINTENANCE_IDLE_MS = 60_000;
/** After a maintenance of d ms, the next waits at least this × d (at most 1/20 of the time in VACUUM). */
const MAINTENANCE_COOLDOWN = 20;

/**
 * PGlite (PostgreSQL in WebAssembly) behind the SqlClient interface, on a thread of its own
 * (PgliteThread): a statement never blocks the server's event loop, and PostgreSQL's work and the
 * server's use two cores. PGlite has a single connection, so every statement and transaction is
 * queued behind the previous one: a transaction's statements never interleave with anyone else's.
 */
export class PgliteSqlClient implements SqlClient {
  private readonly logger = new Logger('PgliteStore');
  private tail: Promise<unknown> = Promise.resolve();
  /** Rows written or read since the last maintenance, and when it ended; the next one not before `maintainAfter`. */
  private rowsSinceMaintenance = 0;
  private maintainedAt = Date.now();
  private maintainAfter = 0;
  private readonly maintenanceTimer: NodeJS.Timeout;

  private constructor(
    private readonly db: PgliteThread,
    readonly where: string,
  ) {
    this.maintenanceTimer = setInterval(() => void this.maintainIfDue(), MAINTENANCE_CHECK_MS);
    this.maintenanceTimer.unref();
  }

  /**
   * PGlite runs PostgreSQL as a single session, without autovacuum: nobody collects the statistics the
   * planner needs (without them a claim sorted every runnable task instead of reading tasks_dispatchable
   * in order, and confirming a batch scanned every queued task: quadratic in the backlog) or clears dead
   * rows. So the client runs `VACUUM (ANALYZE)` itself, once MAINTENANCE_ROWS rows went through or
   * MAINTENANCE_IDLE_MS passed with any activity, and never more than 1/MAINTENANCE_COOLDOWN of the time
   * (it holds the single connection while it runs: ~0.4 s at 20k tasks).
   */
  private async maintainIfDue(): Promise<void> {
    const now = Date.now();
    if (this.db.closed || now < this.maintainAfter || this.rowsSinceMaintenance === 0) return;
    if (this.rowsSinceMaintenance < MAINTENANCE_ROWS && now - this.maintainedAt < MAINTENANCE_IDLE_MS) return;
    await this.maintain();
  }

  /** VACUUM (ANALYZE) now (between statements; never inside a transaction). */
  async maintain(): Promise<void> {
    const rows = this.rowsSinceMaintenance;
    this.rowsSinceMaintenance = 0;
    const started = Date.now();
    try {
      await this.exclusive(() => this.db.query('VACUUM (ANALYZE)'));
      const ms = Date.now() - started;
      this.logger[ms > 5000 ? 'warn' : 'debug'](JSON.stringify({ event: 'pglite_maintenance', statement: 'VACUUM (ANALYZE)', rows_since_last: rows, duration_ms: ms }));
      this.maintainAfter = Date.now() + MAINTENANCE_COOLDOWN * ms;
    } catch (err) {
      if (!this.db.closed) this.logger.warn(JSON.stringify({ event: 'pglite_maintenance_failed', error: (err as Error).message }));
    } finally {
      this.maintainedAt = Date.now();
    }
  }

  /**
   * File-backed under `dataDir` (created if missing, its database made by a child process), or in
   * memory without one (initdb then runs on the PGlite thread). `memory`: see PgliteMemorySettings.
   */
  static async open(dataDir?: string, memory: PgliteMemorySettings = {}): Promise<PgliteSqlClient> {
    const where = dataDir ? `PGlite at ${dataDir}` : 'in-memory PGlite';
    const startParams = pgliteStartParams(memory);
    const tierUp = memory.wasmTierUp ?? PGLITE_MEMORY_DEFAULTS.wasmTierUp;
    if (typeof tierUp !== 'boolean') throw new ConfigError(`STORAGE.PGLITE_WASM_TIER_UP must be true or false (got ${JSON.stringify(tierUp)})`);
    // Read when V8 compiles a function of the module (flags are the process's, its threads' too), so it holds from PGlite's first statement on.
    if (!tierUp) setFlagsFromString('--liftoff-only');
    try {
      if (dataDir) await initdbOutOfProcess(dataDir, startParams);
      const db = await PgliteThread.start(require.resolve('@electric-sql/pglite'), dataDir, startParams, where);
      return new PgliteSqlClient(db, where);
    } catch (err) {
      throw new StorageUnavailableError(`${where} could not be opened: ${(err as Error).message}`);
    }
  }

  query<R>(text: string, params?: readonly unknown[]): Promise<SqlRows<R>> {
    return this.exclusive(() => this.run<R>(text, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.run('BEGIN');
      try {
        const result = await fn({ query: (text, params) => this.run(text, params) });
        await this.run('COMMIT');
        return result;
      } catch (err) {
        await this.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    clearInterval(this.maintenanceTimer);
    await this.exclusive(() => this.db.close());
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async run<R>(text: string, params?: readonly unknown[]): Promise<SqlRows<R>> {
    const res = await this.db.query<R>(text, params).catch((err: unknown) => {
      throw translateInputError(err);
    });
    this.rowsSinceMaintenance += res.rowCount;
    return { rows: res.rows, rowCount: res.rowCount };
  }
}
