import { ValidationError } from '../errors';
import { TaskState } from '../state/task-state';
import { taskId } from './ids';
import { formatTimestamp } from './timestamp';

export interface DaneTask {
  _id: string;
  document_id: string;
  key: string;
  state: number;
  msg: string;
  priority: number;
  args: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  /** Dispatch attempt counter (our extension; travels in message headers the original ignores). */
  attempt: number;
  /** Automatic retries used since the last manual action (our extension). */
  retries?: number;
  /** Task keys this task waits for (submitter-declared dependencies). */
  depends_on: string[];
}

export interface TaskSpec {
  key: string;
  priority: number;
  args: Record<string, unknown>;
  depends_on: string[];
}

export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 10;
export const DEFAULT_PRIORITY = 1;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `int(priority)` clamped to 0..10 (§1.2). */
export function clampPriority(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_PRIORITY;
  const n = typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? parseInt(value, 10) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ValidationError(`priority must be an integer (got ${JSON.stringify(value)})`);
  return Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.trunc(n)));
}

export function normaliseKey(value: unknown, field = 'key'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field} is required and must be a non-empty string`);
  if (value.length > 200) throw new ValidationError(`${field} must be at most 200 characters`);
  if (!/^[A-Za-z0-9_\-]+$/.test(value)) {
    throw new ValidationError(`${field} may only contain letters, digits, '_' and '-' (got ${JSON.stringify(value)})`);
  }
  return value.toUpperCase();
}

const KNOWN_TASK_FIELDS = new Set(['key', 'priority', 'args', 'depends_on', 'state', 'msg', 'created_at', 'updated_at']);

/**
 * Task constructor rules (§1.2): the key upper-cased, priority clamped, and `args` built from the
 * keywords: if `args` is the only unknown keyword its value is the args; otherwise all unknown
 * keywords together (a stray extra key yields `{"args": {...}, "extra": ...}`).
 */
export function parseTaskSpec(input: Record<string, unknown>): TaskSpec {
  if (!isPlainObject(input)) throw new ValidationError('Invalid task format: a task must be a JSON object');
  if ('_id' in input) throw new ValidationError('Invalid task format: `_id` is assigned by the server and must not be sent');
  const key = normaliseKey(input.key);
  const priority = clampPriority(input.priority);
  const unknown = Object.keys(input).filter((k) => !KNOWN_TASK_FIELDS.has(k) || k === 'args');
  let args: Record<string, unknown>;
  if (unknown.length === 1 && unknown[0] === 'args') {
    if (input.args === null || input.args === undefined) args = {};
    else if (!isPlainObject(input.args)) throw new ValidationError('args must be a JSON object');
    else args = input.args;
  } else {
    args = {};
    for (const k of unknown) args[k] = input[k];
  }
  let depends_on: string[] = [];
  if (input.depends_on !== undefined && input.depends_on !== null) {
    if (!Array.isArray(input.depends_on)) throw new ValidationError('depends_on must be a list of task keys');
    depends_on = [...new Set(input.depends_on.map((k, i) => normaliseKey(k, `depends_on[${i}]`)))];
    if (depends_on.includes(key)) throw new ValidationError(`depends_on must not contain the task's own key ${key}`);
  }
  return { key, priority, args, depends_on };
}

export function createTask(documentId: string, spec: TaskSpec, now: Date = new Date()): DaneTask {
  const ts = formatTimestamp(now);
  return {
    _id: taskId(documentId, spec.key),
    document_id: documentId,
    key: spec.key,
    state: TaskState.CREATED,
    msg: 'Created',
    priority: spec.priority,
    args: spec.args,
    created_at: ts,
    updated_at: ts,
    attempt: 0,
    retries: 0,
    depends_on: spec.depends_on,
  };
}

/** What `taskToJson` reads: a stored task, or a client-side one not yet stored (no id, state or times). */
export type TaskJsonFields = Pick<DaneTask, 'key' | 'priority' | 'args'> & Partial<Pick<DaneTask, '_id' | 'state' | 'msg' | 'created_at' | 'updated_at'>>;

/** Python `Task.to_json()` (§1.2): key order fixed, null values dropped, args only when non-empty. */
export function taskToJson(task: TaskJsonFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => {
    if (v !== null && v !== undefined) out[k] = v;
  };
  put('key', task.key);
  put('_id', task._id);
  put('state', task.state);
  put('msg', task.msg);
  put('created_at', task.created_at);
  put('updated_at', task.updated_at);
  put('priority', task.priority);
  if (task.args && Object.keys(task.args).length > 0) out.args = task.args;
  return out;
}

/**
 * REST view (flask-restx model `Task`, §1.2, §5.8): `state` as a string, `args` `{"*": null}` when
 * empty. Our extensions (document_id, depends_on, attempt) follow the original keys.
 */
export function taskView(task: DaneTask): Record<string, unknown> {
  return {
    _id: task._id,
    key: task.key,
    state: String(task.state),
    msg: task.msg ?? null,
    priority: task.priority,
    created_at: task.created_at ?? null,
    updated_at: task.updated_at ?? null,
    args: task.args && Object.keys(task.args).length > 0 ? task.args : { '*': null },
    document_id: task.document_id,
    depends_on: task.depends_on ?? [],
    attempt: task.attempt ?? 0,
  };
}
