import { Creator, DaneDocument, Target, DaneResult, Generator, DaneTask, DEFAULT_PRIORITY, withStringIds } from '@dane/protocol';
import { EsHit } from './es-index';

/**
 * The `_source` of each kind, exactly as docs/protocol.md, Join field and routing gives them
 * (the fields: docs/protocol.md, Objects), and the way back to the model.
 *
 * Where our task extensions live. Python reads a task three ways: Q1 asks for `_source: [task, created_at,
 * updated_at]` and never sees anything else; Q3/Q4/Q9 exclude only `role`, and `Task.from_json` merges every
 * other top-level key into the task, where any unknown keyword turns into `args` (docs/protocol.md, Task).
 * Inside `task` an extra key would leak into Q1 too, and every plain top-level key would leak separately. So
 * they sit in ONE top-level object, `dane_node`: Q1 never sees it, and a Q3 reader (a Python worker checking
 * its dependencies) gets `args` = `{"dane_node": …}` (or `{"args": …, "dane_node": …}`) on the tasks it reads
 * — it only looks at their key and state. Documents get no extension at all: Python's Document constructor
 * refuses any unknown top-level key (docs/protocol.md, Document), so one extra key would crash every reader.
 * Results only carry `dane_node.dedup_key` when one was given: Python reads results through `_source.result`
 * alone (Q6/Q7).
 */
export interface TaskExtension {
  /** Insertion order (see insertion-sequence.ts). */
  seq?: number;
  attempt?: number;
  retries?: number;
  depends_on?: string[];
  /** Epoch milliseconds; null or absent when not set. */
  lease_until?: number | null;
  /** Last worker heartbeat of this attempt (cleared by a claim): the task was started. */
  heartbeat_at?: number | null;
  not_before?: number | null;
  state_changed_at?: number | null;
}

export interface DocumentSource {
  target: Target;
  creator: Creator;
  created_at: string;
  updated_at: string;
  role: 'document';
}

export interface TaskSource {
  task: { key: string; state: number; msg: string; priority?: number; args?: Record<string, unknown> | null };
  role: { name: 'task'; parent: string };
  created_at: string;
  updated_at: string;
  dane_node?: TaskExtension;
}

export interface ResultSource {
  result: { generator: Generator; payload: Record<string, unknown> };
  role: { name: 'result'; parent: string };
  created_at: string;
  updated_at: string;
  dane_node?: { dedup_key?: string };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function documentSource(doc: DaneDocument): DocumentSource {
  return { target: doc.target, creator: doc.creator, created_at: doc.created_at, updated_at: doc.updated_at, role: 'document' };
}

export function isDocumentSource(source: unknown): source is DocumentSource {
  return isObject(source) && isObject(source.target) && isObject(source.creator);
}

export function documentFromHit(hit: EsHit<unknown>): DaneDocument | null {
  const s = hit._source;
  if (!isDocumentSource(s)) return null;
  // A document indexed by Python DANE (or before this server stored string ids) may hold a number id.
  return withStringIds({ _id: hit._id, target: s.target, creator: s.creator, created_at: s.created_at, updated_at: s.updated_at });
}

/** `args` only when non-empty, like Python's `Task.to_json()` that the original stored (docs/protocol.md, Task). */
export function taskSource(task: DaneTask, seq: number, nowMs: number): TaskSource {
  const body: TaskSource['task'] = { key: task.key, state: task.state, msg: task.msg, priority: task.priority };
  if (task.args && Object.keys(task.args).length > 0) body.args = task.args;
  return {
    task: body,
    role: { name: 'task', parent: task.document_id },
    created_at: task.created_at,
    updated_at: task.updated_at,
    dane_node: { seq, attempt: task.attempt ?? 0, retries: task.retries ?? 0, depends_on: task.depends_on ?? [], state_changed_at: nowMs },
  };
}

export function isTaskSource(source: unknown): source is TaskSource {
  return isObject(source) && isObject(source.task) && typeof source.task.key === 'string';
}

/** Tasks written by Python have no `dane_node`: attempt 0, no retries, no dependencies. */
export function taskFromHit(hit: EsHit<unknown>): DaneTask | null {
  const s = hit._source;
  if (!isTaskSource(s)) return null;
  const ext = s.dane_node ?? {};
  return {
    _id: hit._id,
    document_id: (isObject(s.role) ? (s.role.parent as string) : undefined) ?? hit._routing ?? '',
    key: s.task.key,
    state: Number(s.task.state),
    msg: s.task.msg,
    priority: s.task.priority ?? DEFAULT_PRIORITY,
    args: s.task.args ?? {},
    created_at: s.created_at,
    updated_at: s.updated_at,
    attempt: ext.attempt ?? 0,
    retries: ext.retries ?? 0,
    depends_on: ext.depends_on ?? [],
  };
}

export function resultSource(result: DaneResult, dedupKey?: string): ResultSource {
  const source: ResultSource = {
    result: { generator: result.generator, payload: result.payload },
    role: { name: 'result', parent: result.task_id },
    created_at: result.created_at,
    updated_at: result.updated_at,
  };
  if (dedupKey !== undefined) source.dane_node = { dedup_key: dedupKey };
  return source;
}

export function isResultSource(source: unknown): source is ResultSource {
  return isObject(source) && isObject(source.result) && isObject(source.result.generator) && isObject(source.role);
}

/** The task id is the result's join parent; document and key come from that task, the stored truth. */
export function resultFromHit(hit: EsHit<unknown>, task: Pick<DaneTask, '_id' | 'document_id' | 'key'>): DaneResult | null {
  const s = hit._source;
  if (!isResultSource(s)) return null;
  return {
    _id: hit._id,
    task_id: task._id,
    document_id: task.document_id,
    task_key: task.key,
    generator: s.result.generator,
    payload: s.result.payload ?? {},
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

/** The task a result hangs under (its join parent, which is also its routing). */
export function parentTaskId(hit: EsHit<unknown>): string | undefined {
  const s = hit._source;
  return isResultSource(s) ? s.role.parent : hit._routing;
}
