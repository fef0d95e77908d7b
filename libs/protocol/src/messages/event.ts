import { isKnownState } from '../state/task-state';

/**
 * Events: change notifications published on the `DANE-events` topic exchange (durable), JSON
 * bodies, one routing key per kind so subscribers bind to what they need:
 *
 * | routing key | body |
 * |---|---|
 * | `task.<KEY>.<state>` | task_id, document_id, key, state, previous_state (number or null), attempt, msg, at |
 * | `task.<KEY>.<state>` (bulk) | the same with task_id, document_id and attempt null, plus count (a mass reset) |
 * | `document.registered` / `document.deleted` | document_id, target_id, creator_id, at |
 * | `result.<KEY>.stored` | result_id, task_id, document_id, key, at |
 *
 * `at` is an ISO 8601 time. The body carries no kind: the routing key says it. Decoding ignores
 * keys it does not know (a newer publisher may add some) and checks the routing key against the body.
 */

export const DANE_EVENTS_EXCHANGE = 'DANE-events';
export const DANE_EVENTS_EXCHANGE_TYPE = 'topic';

interface TaskEventFields {
  type: 'task';
  /** Upper-case task key (letters, digits, '_' and '-': one routing key word). */
  key: string;
  state: number;
  /** null for a task that had no state before (just created), or unknown. */
  previous_state: number | null;
  msg: string;
  at: string;
}

/** One task changed state. */
export interface TaskStateEvent extends TaskEventFields {
  task_id: string;
  document_id: string;
  attempt: number;
  count?: undefined;
}

/** Many tasks of one key changed state at once (mass reset) and were counted, not listed. */
export interface TaskBulkEvent extends TaskEventFields {
  task_id: null;
  document_id: null;
  attempt: null;
  /** How many tasks changed. */
  count: number;
}

export interface DocumentEvent {
  type: 'document.registered' | 'document.deleted';
  document_id: string;
  target_id: string | number | boolean;
  creator_id: string | number | boolean;
  at: string;
}

export interface DocumentRegisteredEvent extends DocumentEvent {
  type: 'document.registered';
}

export interface DocumentDeletedEvent extends DocumentEvent {
  type: 'document.deleted';
}

export interface ResultStoredEvent {
  type: 'result.stored';
  result_id: string;
  task_id: string;
  document_id: string;
  key: string;
  at: string;
}

export type DaneEvent = TaskStateEvent | TaskBulkEvent | DocumentRegisteredEvent | DocumentDeletedEvent | ResultStoredEvent;
export type DaneEventType = DaneEvent['type'];

export interface EncodedEvent {
  routingKey: string;
  body: Buffer;
  properties: { contentType: 'application/json'; persistent: true; type: DaneEventType; timestamp: number };
}

export type DecodedEvent = { ok: true; event: DaneEvent } | { ok: false; reason: string };

/** Body fields per kind, in the order they are written (a bulk task event adds `count`). */
const FIELDS = {
  task: ['task_id', 'document_id', 'key', 'state', 'previous_state', 'attempt', 'msg', 'at'],
  'document.registered': ['document_id', 'target_id', 'creator_id', 'at'],
  'document.deleted': ['document_id', 'target_id', 'creator_id', 'at'],
  'result.stored': ['result_id', 'task_id', 'document_id', 'key', 'at'],
} as const satisfies Record<DaneEventType, readonly string[]>;

const KEY_WORD = /^[A-Z0-9_-]+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Routing key of an event: `task.<KEY>.<state>`, `document.registered`, `document.deleted`, `result.<KEY>.stored`. */
export function eventRoutingKey(event: DaneEvent): string {
  switch (event.type) {
    case 'task':
      return `task.${event.key}.${event.state}`;
    case 'result.stored':
      return `result.${event.key}.stored`;
    default:
      return event.type;
  }
}

/**
 * Encodes an event for `DANE-events`: the known fields of its kind, in a fixed order. Never throws
 * (publishing an event must never fail the write behind it); checkEvent says whether a consumer's
 * decodeEvent will accept it.
 */
export function encodeEvent(event: DaneEvent): EncodedEvent {
  const body = bodyOf(event.type, event as unknown as Record<string, unknown>);
  const ms = Date.parse(event.at);
  return {
    routingKey: eventRoutingKey(event),
    body: Buffer.from(JSON.stringify(body), 'utf8'),
    properties: { contentType: 'application/json', persistent: true, type: event.type, timestamp: Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000) },
  };
}

/** The first reason decodeEvent would reject this event, or undefined when it is valid. */
export function checkEvent(event: DaneEvent): string | undefined {
  return checkFields(event.type, event as unknown as Record<string, unknown>);
}

/** Decodes an event delivery (body and routing key). Never throws. */
export function decodeEvent(content: Buffer | string, routingKey: string): DecodedEvent {
  const route = parseRoutingKey(routingKey);
  if (!route.ok) return route;
  let data: unknown;
  try {
    data = JSON.parse(typeof content === 'string' ? content : content.toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `event is not JSON: ${String(e.message).slice(0, 120)}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, reason: 'event is not a JSON object' };
  const body = data as Record<string, unknown>;
  const problem = checkFields(route.type, body);
  if (problem) return { ok: false, reason: `${route.type} event: ${problem}` };
  if (route.key !== undefined && body.key !== route.key) return { ok: false, reason: `event key ${JSON.stringify(body.key)} does not match routing key ${routingKey}` };
  if (route.state !== undefined && body.state !== route.state) return { ok: false, reason: `event state ${JSON.stringify(body.state)} does not match routing key ${routingKey}` };
  return { ok: true, event: { type: route.type, ...bodyOf(route.type, body) } as unknown as DaneEvent };
}

function bodyOf(type: DaneEventType, record: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of FIELDS[type] ?? []) body[f] = record[f];
  if (type === 'task' && record.count !== undefined) body.count = record.count;
  return body;
}

type Route = { ok: true; type: DaneEventType; key?: string; state?: number } | { ok: false; reason: string };

function parseRoutingKey(routingKey: string): Route {
  if (routingKey === 'document.registered' || routingKey === 'document.deleted') return { ok: true, type: routingKey };
  const words = typeof routingKey === 'string' ? routingKey.split('.') : [];
  if (words.length === 3 && words[0] === 'task' && KEY_WORD.test(words[1]) && /^\d{3}$/.test(words[2])) {
    return { ok: true, type: 'task', key: words[1], state: Number(words[2]) };
  }
  if (words.length === 3 && words[0] === 'result' && KEY_WORD.test(words[1]) && words[2] === 'stored') {
    return { ok: true, type: 'result.stored', key: words[1] };
  }
  return { ok: false, reason: `routing key ${JSON.stringify(routingKey)} is no DANE event` };
}

/** The first problem with the fields of an event of this kind, or undefined. */
function checkFields(type: DaneEventType, f: Record<string, unknown>): string | undefined {
  if (!(type in FIELDS)) return `unknown event type ${JSON.stringify(type)}`;
  for (const name of FIELDS[type]) if (!(name in f) || f[name] === undefined) return `${name} is missing`;
  const bulk = type === 'task' && f.count !== undefined;
  if (bulk) {
    if (!Number.isSafeInteger(f.count) || (f.count as number) < 1) return `count must be a positive integer (got ${JSON.stringify(f.count)})`;
    for (const name of ['task_id', 'document_id', 'attempt']) if (f[name] !== null) return `${name} must be null in a bulk task event`;
  }
  const ids = bulk ? [] : type === 'task' ? ['task_id', 'document_id'] : type === 'result.stored' ? ['result_id', 'task_id', 'document_id'] : ['document_id'];
  for (const name of ids) if (typeof f[name] !== 'string' || f[name] === '') return `${name} must be a non-empty string`;
  if (type === 'task' || type === 'result.stored') {
    if (typeof f.key !== 'string' || !KEY_WORD.test(f.key)) return `key must be an upper-case task key (got ${JSON.stringify(f.key)})`;
  }
  if (type === 'task') {
    if (!isStateCode(f.state)) return `state must be a DANE task state (got ${JSON.stringify(f.state)})`;
    if (f.previous_state !== null && !isStateCode(f.previous_state)) return `previous_state must be a DANE task state or null (got ${JSON.stringify(f.previous_state)})`;
    if (!bulk && (!Number.isSafeInteger(f.attempt) || (f.attempt as number) < 0)) return `attempt must be a non-negative integer (got ${JSON.stringify(f.attempt)})`;
    if (typeof f.msg !== 'string') return 'msg must be a string';
  }
  if (type === 'document.registered' || type === 'document.deleted') {
    for (const name of ['target_id', 'creator_id']) {
      const v = f[name];
      if (!((typeof v === 'string' && v !== '') || typeof v === 'number' || typeof v === 'boolean')) return `${name} must be a string or number`;
    }
  }
  if (typeof f.at !== 'string' || !ISO_TIME.test(f.at) || Number.isNaN(Date.parse(f.at))) return `at must be an ISO 8601 time (got ${JSON.stringify(f.at)})`;
  return undefined;
}

function isStateCode(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && isKnownState(v);
}
