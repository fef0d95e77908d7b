import type { Options } from 'amqplib';
import { CREATOR_TYPES, TARGET_TYPES, documentToJson, withStringIds, type DaneDocument } from '../model/document';
import { taskToJson, type DaneTask } from '../model/task';
import { TaskState } from '../state/task-state';
import { ATTEMPT_HEADER, DEPENDENCIES_DONE_HEADER, attemptOfHeaders, decodeDependenciesDone, type HeaderTable } from './headers';
import { pythonJsonDumps } from './python-json';

/**
 * The task frame (docs/protocol.md, Task message): what the scheduler publishes to `DANE-exchange` for a
 * worker. Body `{"task": Task.to_json(), "document": Document.to_json()}` in Python's json.dumps form (Python
 * DANE workers read it), routing key `<target.type>.<KEY>`, properties as the original server sets them, plus
 * our headers `x-dane-attempt` and `x-dane-dependencies-done`.
 */

/** Routing key `<target.type>.<KEY>` (docs/protocol.md, Task message). */
export function routingKeyFor(document: DaneDocument, task: Pick<DaneTask, 'key'>): string {
  return `${document.target.type}.${task.key}`;
}

/** Body `{"task": Task.to_json(), "document": Document.to_json()}` with Python's spacing (docs/protocol.md, Task message). */
export function taskMessageBody(task: DaneTask, document: DaneDocument): Buffer {
  return Buffer.from(pythonJsonDumps({ task: taskToJson(task), document: documentToJson(document) }), 'utf8');
}

/** What a worker gets: the two flat objects of the body. */
export interface TaskMessage {
  task: Record<string, unknown> & { _id: string; key: string };
  document: Record<string, unknown> & { _id: string };
}

export interface EncodedTaskFrame {
  routingKey: string;
  body: Buffer;
  /** Publish options: message properties plus `mandatory` (an unroutable task must come back). */
  properties: Options.Publish & { headers: Record<string, unknown> };
}

/**
 * The whole frame of one dispatch: `task.attempt` is the attempt being dispatched. A task with
 * depends_on is dispatched only once every dependency is 200 (the scheduler releases or assigns it
 * so), hence `x-dane-dependencies-done: true` exactly when it has depends_on.
 */
export function encodeTaskFrame(task: DaneTask, document: DaneDocument, replyTo: string): EncodedTaskFrame {
  return {
    routingKey: routingKeyFor(document, task),
    body: taskMessageBody(task, document),
    properties: {
      mandatory: true,
      replyTo,
      correlationId: task._id,
      priority: task.priority,
      persistent: true,
      headers: task.depends_on?.length ? { [ATTEMPT_HEADER]: task.attempt, [DEPENDENCIES_DONE_HEADER]: true } : { [ATTEMPT_HEADER]: task.attempt },
    },
  };
}

/** The task as a worker sees it: `Task.to_json()` of the body (docs/protocol.md, Task) plus the dispatch attempt. */
export interface FrameTask {
  _id: string;
  /** Upper-case task key, e.g. `ASR`. */
  key: string;
  /** State and message read before the server set 102 (201 "Created", or 205/502/… on re-runs; docs/protocol.md, Task message). */
  state?: number;
  msg?: string;
  priority: number;
  args: Record<string, unknown>;
  created_at?: string;
  updated_at?: string;
  /** From header `x-dane-attempt`; undefined when a server without attempts (Python DANE) sent the task. */
  attempt?: number;
}

/** What the properties of a task frame say. */
export interface TaskEnvelope {
  /** correlation_id: the task id. */
  taskId?: string;
  /** reply_to: where replies go. A frame without it cannot be answered. */
  replyTo?: string;
  attempt?: number;
  /** Set when the attempt header was present but unusable; the frame is then read as without attempt. */
  attemptProblem?: string;
  dependenciesDone: boolean;
}

/** The reply the Python worker sends for a frame it cannot run (the table in docs/protocol.md, Replies). */
export type FrameRejection = {
  state: number;
  message: string;
};

export type DecodedTaskFrame =
  { ok: true; envelope: TaskEnvelope; task: FrameTask; document: DaneDocument } | { ok: false; envelope: TaskEnvelope; reason: string; reply: FrameRejection };

/** Texts of the Python base_worker, kept word for word: dashboards and scripts match on them. */
export const FrameRejections = {
  incompleteSpecification: (): FrameRejection => ({
    state: TaskState.ERROR,
    message: "Unhandled error: 'Incompleted task specification, require both `task` and `document` information'",
  }),
  invalidFormat: (): FrameRejection => ({ state: TaskState.BAD_REQUEST, message: 'Invalid format, unable to proceed' }),
  unhandledError: (text: string): FrameRejection => ({ state: TaskState.ERROR, message: `Unhandled error: ${text}` }),
};

export interface TaskFrameMessage {
  content: Buffer | string;
  properties?: { correlationId?: unknown; replyTo?: unknown; headers?: HeaderTable };
}

/** Reads a whole frame: envelope from the properties, task and document from the body. Never throws. */
export function decodeTaskFrame(msg: TaskFrameMessage): DecodedTaskFrame {
  const envelope = decodeTaskEnvelope(msg.properties);
  const body = decodeTaskBody(msg.content, envelope.taskId, envelope.attempt);
  return body.ok ? { ok: true, envelope, task: body.task, document: body.document } : { ok: false, envelope, reason: body.reason, reply: body.reply };
}

/** The properties of a task frame, with the one attempt rule (headers.ts). */
export function decodeTaskEnvelope(properties: TaskFrameMessage['properties']): TaskEnvelope {
  const headers = properties?.headers;
  const attempt = attemptOfHeaders(headers);
  const envelope: TaskEnvelope = {
    taskId: nonEmptyString(properties?.correlationId),
    replyTo: nonEmptyString(properties?.replyTo),
    attempt: attempt.ok ? attempt.attempt : undefined,
    dependenciesDone: decodeDependenciesDone(headers?.[DEPENDENCIES_DONE_HEADER]),
  };
  if (!attempt.ok) envelope.attemptProblem = attempt.reason;
  return envelope;
}

export type DecodedTaskBody = { ok: true; task: FrameTask; document: DaneDocument } | { ok: false; reason: string; reply: FrameRejection };

const DOCUMENT_KEYS = ['target', 'creator', '_id', 'created_at', 'updated_at'];
const TASK_FIELDS = ['key', '_id', 'state', 'msg', 'priority', 'created_at', 'updated_at'];

/**
 * Reads a task frame body `{task, document}` (docs/protocol.md, Task message) with the Python worker's
 * strictness (docs/protocol.md, Replies): not JSON or no task/document → 500; a document with any key beyond
 * target, creator, _id, created_at, updated_at, or without target/creator → 400; a target/creator missing a
 * required key or with an invalid type → 500 "Unhandled error"; extra task keys become args
 * (docs/protocol.md, Task). A number or boolean target.id / creator.id is read as its Python `str()`
 * (withStringIds), so a worker always gets string ids.
 */
export function decodeTaskBody(content: Buffer | string, fallbackTaskId?: string, attempt?: number): DecodedTaskBody {
  let body: unknown;
  try {
    body = JSON.parse(typeof content === 'string' ? content : content.toString('utf8'));
  } catch (e) {
    return reject(`task frame body is not JSON: ${String(e.message).slice(0, 120)}`, FrameRejections.incompleteSpecification());
  }
  if (!isObject(body) || !('task' in body) || !('document' in body)) {
    return reject('task frame body needs both task and document', FrameRejections.incompleteSpecification());
  }
  const { task, document } = body;
  if (!isObject(task) || typeof task.key !== 'string' || task.key === '') return reject('task frame task has no key', FrameRejections.invalidFormat());
  const problem = checkFrameDocument(document);
  if (problem) return reject(`task frame document: ${problem.message}`, problem);
  return {
    ok: true,
    // target.id / creator.id as strings: a frame of an older or Python DANE server may carry a number (withStringIds).
    document: withStringIds(document as unknown as DaneDocument),
    task: {
      _id: String(task._id ?? fallbackTaskId ?? ''),
      key: task.key.toUpperCase(),
      state: typeof task.state === 'number' ? task.state : undefined,
      msg: typeof task.msg === 'string' ? task.msg : undefined,
      priority: typeof task.priority === 'number' ? task.priority : 1,
      args: argsOf(task),
      created_at: typeof task.created_at === 'string' ? task.created_at : undefined,
      updated_at: typeof task.updated_at === 'string' ? task.updated_at : undefined,
      attempt,
    },
  };
}

/** The document rules of the Python constructor: the reply they lead to, or undefined when it is fine. */
export function checkFrameDocument(document: unknown): FrameRejection | undefined {
  if (!isObject(document)) return FrameRejections.invalidFormat();
  if (Object.keys(document).some((k) => !DOCUMENT_KEYS.includes(k))) return FrameRejections.invalidFormat();
  if (!isObject(document.target) || !isObject(document.creator)) return FrameRejections.invalidFormat();
  const problem = targetProblem(document.target) ?? creatorProblem(document.creator);
  return problem ? FrameRejections.unhandledError(problem) : undefined;
}

function reject(reason: string, reply: FrameRejection): DecodedTaskBody {
  return { ok: false, reason, reply };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Python KeyError texts are the quoted key (`'url'`). */
function targetProblem(target: Record<string, unknown>): string | undefined {
  for (const k of ['id', 'url', 'type']) if (!(k in target)) return `'${k}'`;
  if (!(TARGET_TYPES as readonly unknown[]).includes(target.type)) {
    return `Invalid target type ${JSON.stringify(target.type)}, valid types are: ${TARGET_TYPES.join(', ')}`;
  }
  return undefined;
}

function creatorProblem(creator: Record<string, unknown>): string | undefined {
  for (const k of ['id', 'type']) if (!(k in creator)) return `'${k}'`;
  if (!(CREATOR_TYPES as readonly unknown[]).includes(creator.type)) {
    return `Invalid creator type ${JSON.stringify(creator.type)}, valid types are: ${CREATOR_TYPES.join(', ')}`;
  }
  return undefined;
}

/** `args` as Task() builds it: the `args` value when it is the only unknown key, else all unknown keys together. */
function argsOf(task: Record<string, unknown>): Record<string, unknown> {
  const unknown = Object.keys(task).filter((k) => !TASK_FIELDS.includes(k));
  if (unknown.length === 0) return {};
  if (unknown.length === 1 && unknown[0] === 'args') return isObject(task.args) ? task.args : {};
  return Object.fromEntries(unknown.map((k) => [k, task[k]]));
}
