import type { DaneDocument } from '@dane/protocol';
import { WorkerLog } from '../log/worker-log';
import type { WorkerTask } from '../worker-task';

/** What a callback can do besides returning its outcome. */
export interface TaskContext {
  readonly task: WorkerTask;
  readonly document: DaneDocument;
  /** Dispatch attempt (header `x-dane-attempt`), undefined in batch mode or from servers without it. */
  readonly attempt?: number;
  /** Log lines that carry task_id and document_id. */
  readonly log: WorkerLog;
  /**
   * Aborted when this task is cancelled (the server's `task.<KEY>.499` event; `reason` is a TaskCancelledError) or
   * when the worker stops and this task did not finish within the shutdown timeout. Pass it on (fetch, child
   * processes) or check it between steps, and stop: a cancelled task's reply and results are ignored by the server.
   */
  readonly signal: AbortSignal;
  /** Report progress now (state 102 with this message); automatic heartbeats repeat the last one. */
  heartbeat(progress?: string): Promise<void>;
  /** Store a result for this task; resolves with its message id once the broker has it. */
  saveResult(payload: Record<string, unknown>): Promise<string>;
}

export interface TaskSinks {
  heartbeat(progress: string | undefined): Promise<void>;
  saveResult(payload: Record<string, unknown>): Promise<string>;
}

/** The one TaskContext implementation; queue mode and batch mode differ only in their sinks. */
export class RunContext implements TaskContext {
  private progress?: string;
  private finished = false;

  constructor(
    readonly task: WorkerTask,
    readonly document: DaneDocument,
    readonly log: WorkerLog,
    readonly signal: AbortSignal,
    private readonly sinks: TaskSinks,
  ) {}

  get attempt(): number | undefined {
    return this.task.attempt;
  }

  async heartbeat(progress?: string): Promise<void> {
    if (progress !== undefined) this.progress = progress;
    // After the final reply a heartbeat would make a finished task look busy again.
    if (this.finished) return;
    await this.sinks.heartbeat(this.progress);
  }

  async saveResult(payload: Record<string, unknown>): Promise<string> {
    const id = await this.sinks.saveResult(payload);
    this.log.info('result_saved', `Result saved for task ${this.task.key}`, { message_id: id });
    return id;
  }

  finish(): void {
    this.finished = true;
  }
}
