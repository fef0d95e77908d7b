import { ConfigError, TASK_KEY_PATTERN, TaskState, type DaneDocument, type TaskStateCode } from '@dane/protocol';
import { DaneWorker } from './dane-worker';
import type { TaskContext } from './execution/task-context';
import type { DaneWorkerOptions } from './worker-options';
import type { WorkerOutcome, WorkerTask } from './worker-task';

/** The DANE state codes a handler may answer with (every state but 102, which heartbeats send). */
export type OutcomeState = Exclude<TaskStateCode, typeof TaskState.QUEUED>;

/** What a handler returns: a state from the table and a short message; 412 may name its `dependencies`. */
export interface Outcome {
  state: OutcomeState;
  message: string;
  /** With 412: the task keys (or task dicts) this task waits for. */
  dependencies?: Array<string | Record<string, unknown>>;
  /** Anything else travels in the reply; the server ignores it. */
  [extra: string]: unknown;
}

/** An Outcome; or a string: 200 with that message; or nothing: 200 `Success`. */
export type HandleResult = Outcome | string | void;

export type Handler = (task: WorkerTask, document: DaneDocument, ctx: TaskContext) => HandleResult | Promise<HandleResult>;

export interface CreateWorkerOptions extends Partial<Omit<DaneWorkerOptions, 'queue' | 'bindingKey'>> {
  /** The task key this worker does, e.g. `ASR`. */
  key: string;
  /** Do the work. Throw RetryLater, NeedsPerson or RefuseJob for those outcomes; anything else thrown is a 500. */
  handle: Handler;
  /** Default: the key in lower case + `_queue` (`ASR` → `asr_queue`). */
  queue?: string;
  /** Default: `#.<key>` (every target type). */
  bindingKey?: string | string[];
}

/** The worker `createWorker` returns: a DaneWorker whose callback is the handler. */
export class FunctionWorker extends DaneWorker {
  constructor(
    options: DaneWorkerOptions,
    private readonly handler: Handler,
  ) {
    super(options);
  }

  async callback(task: WorkerTask, document: DaneDocument, ctx: TaskContext): Promise<WorkerOutcome> {
    return outcomeOf(await this.handler(task, document, ctx));
  }
}

/**
 * A worker from a function: `createWorker({ key: 'WORDS', handle })`, then `worker.run()` (queue mode
 * until SIGTERM/SIGINT) or `runWorkerCli(worker)` (queue or batch mode from the command line).
 */
export function createWorker(options: CreateWorkerOptions): FunctionWorker {
  const { key, handle, queue, bindingKey, ...rest } = options ?? ({} as CreateWorkerOptions);
  if (typeof key !== 'string' || !TASK_KEY_PATTERN.test(key)) {
    throw new ConfigError(`createWorker: key must be a task key (letters, digits, _ and -), got ${JSON.stringify(key ?? null)}`);
  }
  if (typeof handle !== 'function') throw new ConfigError('createWorker: handle must be a function (task, document, ctx) => outcome');
  return new FunctionWorker({ ...rest, queue: queue ?? `${key.toLowerCase()}_queue`, bindingKey: bindingKey ?? `#.${key}` }, handle);
}

/** What a handler returned as the reply's outcome; the SDK checks the state before replying. */
export function outcomeOf(result: HandleResult): WorkerOutcome {
  if (result === undefined || result === null) return { state: TaskState.SUCCESS, message: 'Success' };
  if (typeof result === 'string') return { state: TaskState.SUCCESS, message: result };
  return result;
}
