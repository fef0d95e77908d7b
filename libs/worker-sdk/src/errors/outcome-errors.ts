import { RETRY_AFTER_FIELD, TaskState } from '@dane/protocol';
import type { WorkerOutcome } from '../worker-task';

/** The codes of the states that wait for a person (docs/protocol.md, Task states): what `NeedsPerson` may answer. */
export type NeedsPersonState = typeof TaskState.BAD_REQUEST | typeof TaskState.ACCESS_DENIED | typeof TaskState.NOT_FOUND | typeof TaskState.ERROR;

/**
 * An error that means a specific DANE outcome rather than "the worker crashed": throw one of its
 * subclasses from a handler and the task gets that outcome, with the error's message as the task's message.
 */
export abstract class OutcomeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
  /** The reply this error stands for. */
  abstract toOutcome(): WorkerOutcome;
}

/**
 * "Try this again later": a remote service is down, a rate limit was hit. The task answers 503; the
 * server dispatches it again after `delayMs` when given (at most 24 h), otherwise after its own back-off,
 * within the key's retry budget; when the budget is spent it waits for a person.
 */
export class RetryLater extends OutcomeError {
  readonly delayMs?: number;
  constructor(message = 'Retry later', options: { delayMs?: number } = {}) {
    super(message);
    if (options.delayMs !== undefined && !(Number.isFinite(options.delayMs) && options.delayMs >= 0)) {
      throw new RangeError(`RetryLater: delayMs must be a finite number ≥ 0, got ${String(options.delayMs)}`);
    }
    this.delayMs = options.delayMs === undefined ? undefined : Math.round(options.delayMs);
  }
  toOutcome(): WorkerOutcome {
    const outcome: WorkerOutcome = { state: TaskState.ERROR_PROXY, message: this.message };
    if (this.delayMs !== undefined) outcome[RETRY_AFTER_FIELD] = this.delayMs;
    return outcome;
  }
}

/**
 * "A person has to look at this": the input is wrong (400), the source is not allowed (403) or not
 * there (404), or the work failed in a way a retry will not fix (500, the default). The task stays in
 * that state until someone retries or resets it (`dane retry`, the dashboard, `/DANE/task/<id>/retry`).
 */
export class NeedsPerson extends OutcomeError {
  readonly state: NeedsPersonState;
  constructor(message: string, options: { state?: NeedsPersonState } = {}) {
    super(message);
    const state = options.state ?? TaskState.ERROR;
    const allowed: readonly number[] = [TaskState.BAD_REQUEST, TaskState.ACCESS_DENIED, TaskState.NOT_FOUND, TaskState.ERROR];
    if (!allowed.includes(state)) throw new RangeError(`NeedsPerson: state must be one of ${allowed.join(', ')}, got ${String(state)}`);
    this.state = state;
  }
  toOutcome(): WorkerOutcome {
    return { state: this.state, message: this.message };
  }
}
