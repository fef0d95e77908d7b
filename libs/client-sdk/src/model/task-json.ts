import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY, taskToJson as coreTaskToJson } from '@dane/protocol';
import type { TaskJson } from './views';

/** Everything a Task holds apart from its client. */
export interface TaskFields {
  key: string;
  priority: number;
  args: Record<string, unknown>;
  depends_on: string[];
  _id?: string;
  state?: number;
  msg?: string;
  created_at?: string;
  updated_at?: string;
  /** Extensions of this server's REST view. */
  document_id?: string;
  attempt?: number;
}

// Python's Task(...) keywords; the REST view adds document_id, depends_on and attempt.
const KNOWN = new Set(['key', 'priority', '_id', 'state', 'msg', 'created_at', 'updated_at', 'document_id', 'depends_on', 'attempt']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `int(priority)` clamped to 0..10, as the Python constructor does (docs/protocol.md, Task). */
export function clampPriority(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_PRIORITY;
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError(`priority must be an integer (got ${JSON.stringify(value)})`);
  return Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.trunc(n)));
}

/**
 * The Python constructor's keyword rules (docs/protocol.md, Task): key upper-cased, priority clamped; `args` is the
 * value of `args` when that is the only unknown keyword, else all unknown keywords together. The
 * REST view's `{"*": null}` (empty args) and string state are read back to `{}` and a number.
 */
export function taskFields(input: Record<string, unknown>): TaskFields {
  if (typeof input.key !== 'string' || input.key.trim() === '') throw new TypeError('A task needs a non-empty key');
  const unknown = Object.keys(input).filter((k) => !KNOWN.has(k));
  let args: Record<string, unknown> = {};
  if (unknown.length === 1 && unknown[0] === 'args') {
    if (isObject(input.args)) args = input.args;
  } else {
    for (const k of unknown) args[k] = input[k];
  }
  if (Object.keys(args).length === 1 && '*' in args && args['*'] === null) args = {};
  const state = input.state === undefined || input.state === null ? undefined : Number(input.state);
  if (state !== undefined && !Number.isInteger(state)) throw new TypeError(`A task state is a number (got ${JSON.stringify(input.state)})`);
  const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return {
    key: input.key.toUpperCase(),
    priority: clampPriority(input.priority),
    args,
    depends_on: Array.isArray(input.depends_on) ? input.depends_on.map((k) => String(k).toUpperCase()) : [],
    _id: text(input._id),
    state,
    msg: text(input.msg),
    created_at: text(input.created_at),
    updated_at: text(input.updated_at),
    document_id: text(input.document_id),
    attempt: input.attempt === undefined || input.attempt === null ? undefined : Number(input.attempt),
  };
}

/**
 * Python `Task.from_json` (docs/protocol.md, Task): a JSON string or an object. `{"key": k}` alone → Task(key=k);
 * `{"task": {...}}` alone → Task(**task); any other single key is refused; `task` next to other
 * keys → the task object merged with them, top level winning; otherwise Task(**object).
 */
export function taskFieldsFromJson(json: string | Record<string, unknown>): TaskFields {
  const data: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (!isObject(data)) throw new TypeError('A serialised task is a JSON object');
  const keys = Object.keys(data);
  if (keys.length === 1) {
    if (keys[0] === 'key') return taskFields({ key: data.key });
    if (keys[0] === 'task') {
      if (!isObject(data.task)) throw new TypeError('`task` must be an object');
      return taskFields(data.task);
    }
    throw new TypeError(`Cannot build a task from a single key \`${keys[0]}\` (expected \`key\` or \`task\`)`);
  }
  if ('task' in data) {
    const { task, ...top } = data;
    if (!isObject(task)) throw new TypeError('`task` must be an object');
    return taskFields({ ...task, ...top });
  }
  return taskFields(data);
}

/** Python `Task.to_json()` (docs/protocol.md, Task), as dane-core writes it: key order fixed, null values dropped, args only when non-empty. */
export function taskToJson(fields: TaskFields): TaskJson {
  return coreTaskToJson(fields) as unknown as TaskJson;
}
