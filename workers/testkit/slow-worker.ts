import { type DaneDocument, TaskState, DaneWorker, loadWorkerConfig, type TaskContext, type WorkerOutcome, type WorkerTask } from '@dane/worker';

/**
 * A worker for the cross-process tests (test/flow-*.e2e-spec.ts): it sleeps, saves a result naming
 * itself, and answers 200. Everything comes from the TESTKIT config section, so a test sets it with
 * DANE_TESTKIT__<KEY> variables:
 *   KEY                 task key it serves (binding `#.<KEY>`, queue `TESTKIT-<KEY>` unless QUEUE is set)
 *   NAME                who it is, in its result and reply (default: its pid)
 *   SLEEP_MS            how long each task takes (task.args.sleep_ms wins), default 1000
 *   HEARTBEAT_MS / ACK_DEADLINE_MS / SHUTDOWN_TIMEOUT_MS   the SDK options of the same meaning
 */
export class SlowWorker extends DaneWorker {
  private readonly name: string;
  private readonly sleepMs: number;

  constructor() {
    const config = loadWorkerConfig();
    const kit = (config.TESTKIT ?? {}) as Record<string, unknown>;
    const key = String(kit.KEY ?? 'SLOW').toUpperCase();
    const ms = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : v === 'Infinity' ? Infinity : Number(v));
    super({
      queue: String(kit.QUEUE ?? `TESTKIT-${key}`),
      bindingKey: `#.${key}`,
      config,
      generator: { id: 'testkit', name: 'TESTKIT', type: 'Software', homepage: 'https://example.com/testkit' },
      heartbeatIntervalMs: ms(kit.HEARTBEAT_MS),
      ackDeadlineMs: ms(kit.ACK_DEADLINE_MS),
      shutdownTimeoutMs: ms(kit.SHUTDOWN_TIMEOUT_MS),
    });
    this.name = String(kit.NAME ?? process.pid);
    this.sleepMs = ms(kit.SLEEP_MS) ?? 1000;
  }

  async callback(task: WorkerTask, _document: DaneDocument, ctx: TaskContext): Promise<WorkerOutcome> {
    const sleepMs = typeof task.args?.sleep_ms === 'number' ? task.args.sleep_ms : this.sleepMs;
    this.log.info('testkit_sleeping', `${this.name} sleeps ${sleepMs} ms`, { task_id: task._id, name: this.name, pid: process.pid });
    await new Promise((resolve) => setTimeout(resolve, sleepMs));
    await ctx.saveResult({ done_by: this.name, pid: process.pid, slept_ms: sleepMs });
    this.log.info('testkit_done', `${this.name} done`, { task_id: task._id, name: this.name });
    return { state: TaskState.SUCCESS, message: `Done by ${this.name}` };
  }
}
