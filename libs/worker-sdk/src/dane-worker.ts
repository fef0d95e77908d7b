import type { DaneDocument, Generator, DaneConfig } from '@dane/protocol';
import { TaskConsumer } from './broker/task-consumer';
import { dirRoots, documentDirs, DocumentDirs } from './dirs';
import type { TaskContext } from './execution/task-context';
import { logLevelOf, WorkerLog } from './log/worker-log';
import { nextShutdownSignal } from './shutdown';
import { DaneWorkerOptions, resolveWorkerOptions, ResolvedWorkerOptions } from './worker-options';
import type { WorkerOutcome, WorkerTask } from './worker-task';

/**
 * A DANE worker: extend it, implement `callback`, call `run()` (or `runWorkerCli(MyWorker)`).
 *
 *   class Filesize extends DaneWorker {
 *     constructor() { super({ queue: 'filesize_queue', bindingKey: '#.FILESIZE', baseDir: __dirname }); }
 *     async callback(task, doc, ctx) { …; await ctx.saveResult({ file_size }); return { state: 200, message: 'Success' }; }
 *   }
 *
 * Unlike the Python base_worker it never reads the store: dependencies come from the message,
 * inputs from the API, and results and progress go back over the broker.
 */
export abstract class DaneWorker {
  readonly options: ResolvedWorkerOptions;
  readonly log: WorkerLog;
  private consumer?: TaskConsumer;
  /** Contexts of running callbacks, so `this.saveResult(task, …)` finds the right sink. */
  private readonly contexts = new Map<string, TaskContext>();

  constructor(options: DaneWorkerOptions) {
    this.options = resolveWorkerOptions(options);
    this.log = new WorkerLog(this.options.queue, logLevelOf(this.options.config.LOGGING?.LEVEL));
  }

  /** Do the work. Return `{state, message}`; throw RefuseJob to hand the task back; any other throw is a 500. */
  abstract callback(task: WorkerTask, document: DaneDocument, ctx: TaskContext): WorkerOutcome | Promise<WorkerOutcome>;

  get config(): DaneConfig {
    return this.options.config;
  }
  get queue(): string {
    return this.options.queue;
  }
  get taskKey(): string {
    return this.options.taskKey;
  }
  get generator(): Generator {
    return this.options.generator;
  }

  /**
   * Per-document work folders (docs/protocol.md, Work folders): `<PATHS.TEMP_FOLDER>/03/d2/8a/<_id>` and the
   * same under OUT_FOLDER, created unless told otherwise; `task.args.PATHS` overrides the roots when given.
   */
  getDirs(document: Pick<DaneDocument, '_id'>, createInput = true, createOutput = true, task?: Pick<WorkerTask, 'args'>): DocumentDirs {
    return documentDirs(dirRoots(this.config.PATHS as Record<string, unknown>, task?.args), document._id, createInput, createOutput);
  }

  /** Same as `ctx.saveResult(payload)`, for code that has the task but not the context. */
  async saveResult(task: Pick<WorkerTask, '_id'>, payload: Record<string, unknown>): Promise<string> {
    const ctx = this.contexts.get(task._id);
    if (!ctx) throw new Error(`saveResult: task ${task._id} is not running in this worker`);
    return ctx.saveResult(payload);
  }

  /** What the SDK calls for each accepted task (queue and batch mode alike). */
  async handleTask(task: WorkerTask, document: DaneDocument, ctx: TaskContext): Promise<WorkerOutcome> {
    this.contexts.set(task._id, ctx);
    try {
      return await this.callback(task, document, ctx);
    } finally {
      if (this.contexts.get(task._id) === ctx) this.contexts.delete(task._id);
    }
  }

  /** Connect and start consuming; resolves once the queue is consumed. */
  async start(): Promise<void> {
    if (this.consumer) return;
    const o = this.options;
    this.consumer = new TaskConsumer(o.config, o, (task, doc, ctx) => this.handleTask(task, doc, ctx), this.log);
    await this.consumer.start();
  }

  /** Stop consuming, let running callbacks finish (up to `timeoutMs`), close the connection. */
  async stop(timeoutMs = this.options.shutdownTimeoutMs): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop(timeoutMs);
  }

  /** Consume until SIGTERM or SIGINT, then stop gracefully. */
  async run(): Promise<void> {
    const signal = nextShutdownSignal();
    // Race the start: while the broker is unreachable start() keeps retrying, and SIGTERM must still stop us.
    const started = this.start().then(() => undefined);
    const received = await Promise.race([signal, started.then(() => signal)]);
    this.log.info('shutdown_signal', `Received ${received}, stopping`);
    await this.stop();
  }
}
