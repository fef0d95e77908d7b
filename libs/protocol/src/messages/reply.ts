import { TaskState, isKnownState, stateInfo } from '../state/task-state';
import { REPLY_KIND_HEADER, attemptHeaders, attemptOfHeaders, decodeReplyKind, type HeaderTable, type ReplyKindHeaderValue } from './headers';
import { pythonJsonDumps } from './python-json';

/**
 * The reply (docs/protocol.md, Replies): a worker's answer to a task frame, sent to the frame's reply_to (the
 * response queue) on the default exchange with the frame's correlation_id, body
 * `{"state": …, "message": …, …}` in json.dumps form. Our extensions ride in headers the original
 * server ignores: `x-dane-attempt` echoed (a late reply of an old attempt cannot overwrite a newer
 * one) and `x-dane-kind` (heartbeat, refused). A heartbeat is a reply too (heartbeat.ts).
 */

/** What a worker answers: a DANE state, a message, `dependencies` with 412, any extra keys (e.g. `size`). */
export interface ReplyOutcome {
  state: number;
  message: string;
  dependencies?: Array<string | Record<string, unknown>>;
  [extra: string]: unknown;
}

/** Where a reply goes and what it answers: from the task frame's envelope. */
export interface ReplyAddress {
  /** reply_to of the task frame. */
  replyTo: string;
  /** correlation_id of the task frame (the task id). */
  taskId: string | undefined;
  /** The frame's attempt (decoded by the one rule), echoed as an AMQP number. */
  attempt?: number;
}

export interface EncodedReply {
  /** Default exchange, routing key = this queue (reply_to). */
  queue: string;
  body: Buffer;
  properties: { correlationId: string | undefined; persistent: true; headers?: Record<string, unknown> };
}

/** Encodes a reply as the Python worker sends it (docs/protocol.md, Replies), plus our headers. */
export function encodeReply(to: ReplyAddress, outcome: ReplyOutcome, kind?: ReplyKindHeaderValue): EncodedReply {
  const headers: Record<string, unknown> = { ...attemptHeaders(to.attempt) };
  if (kind) headers[REPLY_KIND_HEADER] = kind;
  const { state, message, ...rest } = outcome;
  const body = Buffer.from(pythonJsonDumps({ state, message, ...rest }), 'utf8');
  return {
    queue: String(to.replyTo),
    body,
    properties: { correlationId: to.taskId, persistent: true, headers: Object.keys(headers).length ? headers : undefined },
  };
}

export interface WorkerReply {
  state: number;
  message: string;
  /** Present on 412 replies: task keys (strings) or task dicts (docs/protocol.md, Replies). */
  dependencies?: Array<string | Record<string, unknown>>;
  /** Anything else the worker sent (e.g. `size`); ignored by the state machine. */
  extra: Record<string, unknown>;
}

export type ParsedReply = { ok: true; reply: WorkerReply } | { ok: false; reason: string };

/**
 * Parses a worker reply body leniently (docs/protocol.md, Replies): JSON object with `state` (number or
 * numeric string) and `message`; a double-encoded JSON string (dane ≥0.3.6 with a callback returning
 * json.dumps) is decoded once more; extra keys are kept aside. Never throws.
 */
export function parseReply(content: Buffer | string): ParsedReply {
  let data: unknown;
  try {
    data = JSON.parse(typeof content === 'string' ? content : content.toString('utf8'));
    if (typeof data === 'string') data = JSON.parse(data);
  } catch (e) {
    return { ok: false, reason: `reply is not JSON: ${String(e.message).slice(0, 120)}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, reason: 'reply is not a JSON object' };
  const { state: rawState, message, dependencies, ...extra } = data as Record<string, unknown>;
  const state = typeof rawState === 'number' ? rawState : typeof rawState === 'string' && /^\s*\d{3}\s*$/.test(rawState) ? parseInt(rawState, 10) : NaN;
  if (!Number.isInteger(state)) return { ok: false, reason: `reply has no valid state (got ${JSON.stringify(rawState ?? null)})` };
  if (!isKnownState(state) || state === TaskState.ALREADY_EXISTS) return { ok: false, reason: `reply state ${state} is not a DANE task state` };
  let deps: WorkerReply['dependencies'];
  if (dependencies !== undefined && dependencies !== null) {
    if (!Array.isArray(dependencies) || !dependencies.every((d) => typeof d === 'string' || (typeof d === 'object' && d !== null && !Array.isArray(d)))) {
      return { ok: false, reason: 'reply dependencies must be a list of task keys or task objects' };
    }
    deps = dependencies as WorkerReply['dependencies'];
  }
  const msg = typeof message === 'string' ? message : message === undefined || message === null ? stateInfo(state)!.defaultMessage : JSON.stringify(message);
  return { ok: true, reply: { state, message: msg.slice(0, 10_000), dependencies: deps, extra } };
}

export type ReadReply = { ok: true; taskId: string; incoming: IncomingReply } | { ok: false; reason: string; taskId?: string };

/** A delivery on the response queue, as amqplib hands it over (only what a reply needs). */
export interface ReplyMessage {
  content: Buffer;
  properties: { correlationId?: unknown; headers?: HeaderTable };
}

/** Our SDK's RefuseJob reply needs no state; a missing or odd body still means "refused". */
const REFUSED_WITHOUT_BODY: WorkerReply = { state: TaskState.CREATED, message: 'Job refused', extra: {} };

/**
 * A delivery on the response queue → task id, reply and the extensions in its headers (attempt,
 * kind). Python workers send only `correlation_id` and the JSON body (docs/protocol.md, Replies). Never throws:
 * a malformed reply is `{ ok: false, reason }`.
 */
export function readReply(msg: ReplyMessage): ReadReply {
  const taskId = msg.properties.correlationId;
  if (typeof taskId !== 'string' || taskId === '') return { ok: false, reason: 'reply has no correlation_id' };
  const headers = msg.properties.headers ?? {};
  const attempt = attemptOfHeaders(headers);
  if (!attempt.ok) return { ok: false, taskId, reason: `reply ${attempt.reason}` };
  const kind = decodeReplyKind(headers[REPLY_KIND_HEADER]);
  const parsed = parseReply(msg.content);
  if (!parsed.ok) {
    if (kind === 'refused') return { ok: true, taskId, incoming: { kind, reply: REFUSED_WITHOUT_BODY, attempt: attempt.attempt } };
    return { ok: false, taskId, reason: parsed.reason };
  }
  return { ok: true, taskId, incoming: { kind, reply: parsed.reply, attempt: attempt.attempt } };
}

/** What a reply asks for: a final outcome, a heartbeat (progress, lease extension), or a refusal. */
export type ReplyKind = 'outcome' | 'heartbeat' | 'refused';

export interface IncomingReply {
  kind: ReplyKind;
  reply: WorkerReply;
  /** The dispatch attempt the worker answers (header x-dane-attempt); Python workers send none. */
  attempt?: number;
}

/**
 * Extension field of a 503 reply (our worker SDK's `RetryLater`): the delay in ms after which the worker
 * asks to be given the task again. Python DANE ignores unknown reply keys.
 */
export const RETRY_AFTER_FIELD = 'retry_after_ms';
/** The longest delay a worker may ask for (24 h); longer requests are cut to it. */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/** The retry delay a reply asks for, bounded to [0, 24 h]; undefined when it asks for none or sends nonsense. */
export function requestedRetryDelay(reply: Pick<WorkerReply, 'extra'>): number | undefined {
  const v = reply.extra?.[RETRY_AFTER_FIELD];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return undefined;
  return Math.min(Math.round(v), MAX_RETRY_AFTER_MS);
}
