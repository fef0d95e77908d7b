import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite, Transaction } from '@electric-sql/pglite';
import { ConfigError, StorageUnavailableError } from '@dane/protocol';
import { SqlClient, SqlExecutor, SqlRows } from './sql-client';
import { translateInputError } from './sql-errors';

type PgliteTarget = Pick<Transaction, 'query'>;

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

/**
 * PGlite (PostgreSQL in WebAssembly, in-process) behind the SqlClient interface. PGlite has a
 * single connection, so every statement and transaction is queued behind the previous one: a
 * transaction's statements never interleave with anyone else's.
 */
export class PgliteSqlClient implements SqlClient {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: PGlite,
    readonly where: string,
  ) {}

  /**
   * File-backed under `dataDir` (created if missing, its database made by a child process), or in
   * memory without one (initdb then runs in this process). `memory`: see PgliteMemorySettings.
   */
  static async open(dataDir?: string, memory: PgliteMemorySettings = {}): Promise<PgliteSqlClient> {
    const where = dataDir ? `PGlite at ${dataDir}` : 'in-memory PGlite';
    const startParams = pgliteStartParams(memory);
    const tierUp = memory.wasmTierUp ?? PGLITE_MEMORY_DEFAULTS.wasmTierUp;
    if (typeof tierUp !== 'boolean') throw new ConfigError(`STORAGE.PGLITE_WASM_TIER_UP must be true or false (got ${JSON.stringify(tierUp)})`);
    // Read when V8 compiles a function of the module, so it holds from PGlite's first statement on.
    if (!tierUp) setFlagsFromString('--liftoff-only');
    try {
      if (dataDir) await initdbOutOfProcess(dataDir, startParams);
      const db = dataDir ? new PGlite(dataDir, { startParams }) : new PGlite({ startParams });
      await db.waitReady;
      return new PgliteSqlClient(db, where);
    } catch (err) {
      throw new StorageUnavailableError(`${where} could not be opened: ${(err as Error).message}`);
    }
  }

  query<R>(text: string, params?: readonly unknown[]): Promise<SqlRows<R>> {
    return this.exclusive(() => this.run<R>(this.db, text, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.db.transaction((tx) => fn({ query: (text, params) => this.run(tx, text, params) })));
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (!this.db.closed) await this.db.close();
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async run<R>(target: PgliteTarget, text: string, params?: readonly unknown[]): Promise<SqlRows<R>> {
    if (this.db.closed) throw new StorageUnavailableError(`${this.where} is closed`);
    const res = await target.query<R>(text, params as unknown[] | undefined).catch((err: unknown) => {
      throw translateInputError(err);
    });
    return { rows: res.rows, rowCount: res.rowCount ?? res.affectedRows ?? res.rows.length };
  }
}
