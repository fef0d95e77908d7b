import { validateTaskSpec } from '../dto/task.dto';
import { definedEntries } from '../dto/validation';
import { taskKeyProblem } from '../dto/validators';
import { ValidationError } from '../errors';
import { TaskState } from '../state/task-state';
import { taskId } from './ids';
import { formatTimestamp } from './timestamp';
import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY, TASK_KEYWORDS } from './vocabulary';

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

export { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY } from './vocabulary';

/** `int(priority)` clamped to 0..10 (docs/protocol.md, Task). */
export function clampPriority(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_PRIORITY;
  const n = typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? parseInt(value, 10) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ValidationError(`priority must be an integer (got ${JSON.stringify(value)})`);
  return Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.trunc(n)));
}

export function normaliseKey(value: unknown, field = 'key'): string {
  const problem = taskKeyProblem(value, field);
  if (problem) throw new ValidationError(problem);
  return (value as string).toUpperCase();
}

/**
 * Task constructor rules (docs/protocol.md, Task) on input checked against TaskSpecDto: the key upper-cased,
 * the priority clamped, `depends_on` upper-cased without duplicates, and `args` built from the keywords: if
 * `args` is the only unknown keyword its value is the args; otherwise all unknown keywords together (a stray
 * extra key yields `{"args": {...}, "extra": ...}`).
 */
export function parseTaskSpec(input: unknown): TaskSpec {
  const dto = validateTaskSpec(input);
  const fields = definedEntries(dto).filter(([k]) => !NOT_ARGS.has(k));
  const unknown = fields.filter(([k]) => !TASK_KEYWORDS.includes(k) || k === 'args');
  let args: Record<string, unknown>;
  if (unknown.length === 0 || (unknown.length === 1 && unknown[0][0] === 'args')) {
    args = dto.args === null || dto.args === undefined ? {} : (dto.args as Record<string, unknown>);
  } else {
    args = Object.fromEntries(unknown);
  }
  const depends_on = [...new Set((dto.depends_on ?? []).map((k) => k.toUpperCase()))];
  return { key: dto.key.toUpperCase(), priority: clampPriority(dto.priority), args, depends_on };
}

/** Keys of an assignment body that are neither keywords nor arguments. */
const NOT_ARGS = new Set(['_id', 'document_id']);

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

/** Python `Task.to_json()` (docs/protocol.md, Task): key order fixed, null values dropped, args only when non-empty. */
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
 * REST view (flask-restx model `Task`; docs/protocol.md, Task;
 * docs/protocol.md, Differences from the Python server): `state` as a string, `args` `{"*": null}`
 * when empty. Our extensions (document_id, depends_on, attempt) follow the original keys.
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
