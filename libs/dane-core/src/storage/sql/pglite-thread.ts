import { Worker } from 'node:worker_threads';
import { StorageUnavailableError } from '@dane/protocol';

/** What the PGlite thread answers: rows, or the error's fields (an Error does not survive postMessage with its SQLSTATE). */
type ThreadReply = { id: number; ok: true; rows: unknown[]; rowCount: number } | { id: number; ok: false; error: Record<string, unknown> & { message: string } };

/**
 * The PGlite thread's young generation (V8's default on a large machine is several times this): its
 * JavaScript only carries statements and rows across, and the smaller nursery kept the single-machine
 * server ~30 MB smaller at the same throughput (20,000-task runs, 357 vs 388 MB peak).
 */
const YOUNG_GENERATION_MB = 8;

/** The fields of a database error that cross the thread boundary (the SQLSTATE `code` above all). */
const ERROR_FIELDS = ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'severity', 'position'];

/**
 * Run by a worker thread (eval, CommonJS) with workerData { entry, dataDir, startParams }: opens
 * PGlite, answers `ready` (id 0), then runs each statement it is sent and posts its rows or its
 * error's fields. `close` closes the database. Statements arrive one at a time (PgliteThread's
 * caller keeps them in order), so BEGIN … COMMIT sent as statements is a transaction.
 */
const THREAD_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const FIELDS = ${JSON.stringify(ERROR_FIELDS)};
const fields = (err) => {
  const out = { message: String((err && err.message) || err) };
  for (const k of FIELDS) if (err && err[k] !== undefined && err[k] !== null) out[k] = err[k];
  return out;
};
(async () => {
  let db;
  try {
    const { PGlite } = require(workerData.entry);
    const options = { startParams: workerData.startParams };
    db = workerData.dataDir ? new PGlite(workerData.dataDir, options) : new PGlite(options);
    await db.waitReady;
  } catch (err) {
    parentPort.postMessage({ id: 0, ok: false, error: fields(err) });
    return;
  }
  parentPort.postMessage({ id: 0, ok: true, rows: [], rowCount: 0 });
  parentPort.on('message', async (req) => {
    try {
      if (req.op === 'close') {
        if (!db.closed) await db.close();
        parentPort.postMessage({ id: req.id, ok: true, rows: [], rowCount: 0 });
        return;
      }
      const res = await db.query(req.text, req.params);
      parentPort.postMessage({ id: req.id, ok: true, rows: res.rows, rowCount: res.rowCount ?? res.affectedRows ?? res.rows.length });
    } catch (err) {
      parentPort.postMessage({ id: req.id, ok: false, error: fields(err) });
    }
  });
})();
`;

/** An error answered by the thread, rebuilt with its fields (code, detail, …) so sqlState() and translateInputError() read it. */
function rebuild(fields: Record<string, unknown> & { message: string }): Error {
  return Object.assign(new Error(fields.message), fields);
}

/**
 * PGlite (PostgreSQL in WebAssembly) on a thread of its own: its statements run there, so the
 * server's event loop (HTTP, the broker, the dispatcher) is never blocked by one, and the two use two
 * cores. Rows come back by structured clone (Date, objects and arrays as PGlite parsed them).
 */
export class PgliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: { rows: unknown[]; rowCount: number }) => void; reject: (e: unknown) => void }>();
  private nextId = 1;
  private failure?: Error;
  private closing = false;

  private constructor(
    entry: string,
    dataDir: string | undefined,
    startParams: string[],
    private readonly where: string,
  ) {
    this.worker = new Worker(THREAD_SCRIPT, { eval: true, workerData: { entry, dataDir, startParams }, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker.on('message', (reply: ThreadReply) => this.settle(reply));
    this.worker.on('error', (err) => this.fail(new StorageUnavailableError(`${this.where} failed: ${err.message}`)));
    this.worker.on('exit', (code) => this.fail(new StorageUnavailableError(`${this.where} is closed${this.closing ? '' : ` (its thread exited with code ${code})`}`)));
  }

  /** Starts the thread and waits until PGlite is ready there (or failed to start: its error). */
  static async start(entry: string, dataDir: string | undefined, startParams: string[], where: string): Promise<PgliteThread> {
    const thread = new PgliteThread(entry, dataDir, startParams, where);
    try {
      await new Promise<unknown>((resolve, reject) => thread.pending.set(0, { resolve, reject }));
    } catch (err) {
      await thread.worker.terminate();
      throw err;
    }
    return thread;
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  /** Runs one statement on the thread. */
  query<R>(text: string, params?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: { rows: unknown[]; rowCount: number }) => void, reject });
      this.worker.postMessage({ id, op: 'query', text, params });
    });
  }

  /** Closes the database, then ends the thread. */
  async close(): Promise<void> {
    if (this.failure) return;
    this.closing = true;
    const id = this.nextId++;
    await new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op: 'close' });
    }).catch(() => undefined);
    await this.worker.terminate();
    this.fail(new StorageUnavailableError(`${this.where} is closed`));
  }

  private settle(reply: ThreadReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve({ rows: reply.rows, rowCount: reply.rowCount });
    else waiter.reject(reply.id === 0 ? new Error(reply.error.message) : rebuild(reply.error));
  }

  /** The thread is gone (closed, crashed): everything waiting fails, and so does everything after. */
  private fail(err: Error): void {
    this.failure ??= err;
    for (const [, waiter] of this.pending) waiter.reject(this.failure);
    this.pending.clear();
  }
}
