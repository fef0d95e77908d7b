/**
 * The DANE task states (docs/protocol.md, State table) as data: every app reads codes, names, classes and
 * allowed transitions from here. No other file spells a state code.
 */
export type StateClass = 'in_flight' | 'done' | 'runs_automatically' | 'needs_person' | 'waiting' | 'cancelled';

export interface StateInfo {
  code: number;
  name: string;
  meaning: string;
  class: StateClass;
  /** Default message stored with the state when none is given. */
  defaultMessage: string;
}

export const TaskState = {
  QUEUED: 102,
  SUCCESS: 200,
  CREATED: 201,
  TASK_RESET: 205,
  BAD_REQUEST: 400,
  ACCESS_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  UNFINISHED_DEPENDENCY: 412,
  NO_ROUTE_TO_QUEUE: 422,
  /**
   * Ours, not the Python library's: cancelled by a person (POST /DANE/task/<id>/cancel). Terminal. A 4xx that DANE
   * never used (nginx's "client closed request"), so Python readers, which compare codes as integers, see a
   * client-side failure: not 200, not in flight, not runnable (docs/protocol.md, State table).
   */
  CANCELLED: 499,
  ERROR: 500,
  ERROR_INVALID_INPUT: 502,
  ERROR_PROXY: 503,
} as const;
export type TaskStateCode = (typeof TaskState)[keyof typeof TaskState];

const S = TaskState;

export const STATE_TABLE: readonly StateInfo[] = [
  { code: S.QUEUED, name: 'QUEUED', meaning: 'published; waiting or being processed', class: 'in_flight', defaultMessage: 'Queued' },
  { code: S.SUCCESS, name: 'SUCCESS', meaning: 'done', class: 'done', defaultMessage: 'Success' },
  { code: S.CREATED, name: 'CREATED', meaning: 'registered, not yet acted upon', class: 'runs_automatically', defaultMessage: 'Created' },
  { code: S.TASK_RESET, name: 'TASK_RESET', meaning: 'reset by manual intervention', class: 'runs_automatically', defaultMessage: 'Manual reset' },
  { code: S.BAD_REQUEST, name: 'BAD_REQUEST', meaning: 'malformed document or task', class: 'needs_person', defaultMessage: 'Bad request' },
  { code: S.ACCESS_DENIED, name: 'ACCESS_DENIED', meaning: 'source access denied', class: 'needs_person', defaultMessage: 'Access denied' },
  { code: S.NOT_FOUND, name: 'NOT_FOUND', meaning: 'source not found', class: 'needs_person', defaultMessage: 'Not found' },
  { code: S.UNFINISHED_DEPENDENCY, name: 'UNFINISHED_DEPENDENCY', meaning: 'waiting for dependencies', class: 'waiting', defaultMessage: 'Unfinished dependencies' },
  { code: S.NO_ROUTE_TO_QUEUE, name: 'NO_ROUTE_TO_QUEUE', meaning: 'no worker queue is bound for the routing key', class: 'needs_person', defaultMessage: 'Unroutable task' },
  { code: S.CANCELLED, name: 'CANCELLED', meaning: 'cancelled by a person; a late reply is ignored', class: 'cancelled', defaultMessage: 'Cancelled' },
  { code: S.ERROR, name: 'ERROR', meaning: 'error during processing', class: 'needs_person', defaultMessage: 'Error' },
  { code: S.ERROR_INVALID_INPUT, name: 'ERROR_INVALID_INPUT', meaning: 'worker got invalid or partial input', class: 'runs_automatically', defaultMessage: 'Invalid input' },
  { code: S.ERROR_PROXY, name: 'ERROR_PROXY', meaning: 'remote service error', class: 'runs_automatically', defaultMessage: 'Proxy error' },
];

const byCode = new Map(STATE_TABLE.map((s) => [s.code, s]));

export function stateInfo(code: number): StateInfo | undefined {
  return byCode.get(code);
}

/** `500 ERROR`, as messages and listings name a state; a code outside the table stays a bare number. */
export function stateLabel(code: number): string {
  const info = byCode.get(code);
  return info ? `${code} ${info.name}` : String(code);
}

export function isKnownState(code: number): boolean {
  return byCode.has(code);
}

export function statesOfClass(cls: StateClass): number[] {
  return STATE_TABLE.filter((s) => s.class === cls).map((s) => s.code);
}

/** States a worker may report in a reply (anything stored except 102, which is a heartbeat, and 499: only a person cancels). */
export const WORKER_OUTCOME_STATES: readonly number[] = STATE_TABLE.map((s) => s.code).filter((c) => c !== S.QUEUED && c !== S.CANCELLED);

/** Runnable right away by the dispatcher: 201 and 205 (class "runs automatically" in docs/protocol.md, State table). */
export const RUNNABLE_STATES: readonly number[] = [S.CREATED, S.TASK_RESET];
/** Outcomes retried automatically with back-off (docs/protocol.md, Transitions). */
export const AUTO_RETRY_STATES: readonly number[] = [S.ERROR_INVALID_INPUT, S.ERROR_PROXY];
/** Outcomes that wait for a person: retry, forceretry, reset, mass reset. */
export const MANUAL_STATES: readonly number[] = statesOfClass('needs_person');
/** States the dispatcher may claim (runnable, or auto-retry whose back-off is due). */
export const DISPATCHABLE_STATES: readonly number[] = [...RUNNABLE_STATES, ...AUTO_RETRY_STATES];
/** `retry` without force refuses these (docs/protocol.md, Manual interventions). */
export const RETRY_REFUSED_STATES: readonly number[] = [S.QUEUED, S.SUCCESS];
/** Unfinished = not done and not waiting on dependencies (GET /DANE/task/; docs/protocol.md, Task routes). */
export const UNFINISHED_EXCLUDED_STATES: readonly number[] = [S.SUCCESS, S.UNFINISHED_DEPENDENCY];
/** Errored tasks of a worker (GET /DANE/workers/<key>; docs/protocol.md, Worker routes) exclude these. */
export const NOT_ERRORED_STATES: readonly number[] = [S.QUEUED, S.SUCCESS, S.CREATED, S.UNFINISHED_DEPENDENCY];
/** `cancel` refuses these: done, or cancelled already (docs/protocol.md, Cancellation). */
export const CANCEL_REFUSED_STATES: readonly number[] = [S.SUCCESS, S.CANCELLED];
/** Default state selected by a mass reset (docs/protocol.md, Manual interventions). */
export const MASS_RESET_DEFAULT_STATE = S.ERROR;

/**
 * Named transitions: the states a task must be in for each operation. Every state write in the
 * store is one conditional statement that takes `from` and writes `to`.
 */
export const TRANSITIONS = {
  /** Dispatcher claims a task: runnable (or due auto-retry) → 102. */
  claim: { from: DISPATCHABLE_STATES, to: S.QUEUED },
  /** A worker's reply (or a publish outcome) for the current attempt. */
  complete: { from: [S.QUEUED] as readonly number[], to: null },
  /** A failed publish puts the task back. */
  unclaim: { from: [S.QUEUED] as readonly number[], to: null },
  /** Lease ran out without a heartbeat: back to runnable. */
  expire: { from: [S.QUEUED] as readonly number[], to: S.CREATED },
  /** Manual retry: anything but 102/200 (docs/protocol.md, Manual interventions). */
  retry: { from: STATE_TABLE.map((s) => s.code).filter((c) => !RETRY_REFUSED_STATES.includes(c)), to: S.CREATED },
  /** Forced retry: from any state. */
  forceRetry: { from: STATE_TABLE.map((s) => s.code), to: S.CREATED },
  /** Reset: 201 "Reset", the scheduler queues it (docs/protocol.md, Manual interventions). */
  reset: { from: STATE_TABLE.map((s) => s.code), to: S.CREATED },
  /** Mass reset of one key in one state → 205 "Manual reset" (docs/protocol.md, Manual interventions). */
  massReset: { from: STATE_TABLE.map((s) => s.code), to: S.TASK_RESET },
  /** Cancel: anything not done and not cancelled already → 499 (docs/protocol.md, Cancellation). */
  cancel: { from: STATE_TABLE.map((s) => s.code).filter((c) => !CANCEL_REFUSED_STATES.includes(c)), to: S.CANCELLED },
  /** A task with open dependencies waits in 412; released to 201 when they are all 200. */
  wait: { from: [S.CREATED, S.TASK_RESET, S.QUEUED] as readonly number[], to: S.UNFINISHED_DEPENDENCY },
  release: { from: [S.UNFINISHED_DEPENDENCY] as readonly number[], to: S.CREATED },
} as const;

export function isDone(code: number): boolean {
  return code === S.SUCCESS;
}
