import type { ConsumeMessage } from 'amqplib';
import { ATTEMPT_HEADER, IncomingReply, REPLY_KIND_HEADER, ReplyKind, TaskState, WorkerReply, parseReply } from '@dane/core';

export type ReadReply = { ok: true; taskId: string; incoming: IncomingReply } | { ok: false; reason: string; taskId?: string };

/** Our SDK's RefuseJob reply needs no state; a missing or odd body still means "refused". */
const REFUSED_WITHOUT_BODY: WorkerReply = { state: TaskState.CREATED, message: 'Job refused', extra: {} };

/**
 * A delivery on the response queue → task id, reply and the extensions in its headers (attempt,
 * kind). Python workers send only `correlation_id` and the JSON body (Appendix C). Never throws.
 */
export function readReply(msg: Pick<ConsumeMessage, 'content' | 'properties'>): ReadReply {
  const taskId = msg.properties.correlationId;
  if (typeof taskId !== 'string' || taskId === '') return { ok: false, reason: 'reply has no correlation_id' };
  const headers = msg.properties.headers ?? {};
  const attempt = readAttempt(headers[ATTEMPT_HEADER]);
  if (attempt === null) return { ok: false, taskId, reason: `reply header ${ATTEMPT_HEADER} is not an attempt number (${JSON.stringify(String(headers[ATTEMPT_HEADER]))})` };
  const kind = readKind(headers[REPLY_KIND_HEADER]);
  const parsed = parseReply(msg.content);
  if (!parsed.ok) {
    if (kind === 'refused') return { ok: true, taskId, incoming: { kind, reply: REFUSED_WITHOUT_BODY, attempt } };
    return { ok: false, taskId, reason: parsed.reason };
  }
  return { ok: true, taskId, incoming: { kind, reply: parsed.reply, attempt } };
}

/** undefined when absent, null when present but unusable. */
function readAttempt(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function readKind(value: unknown): ReplyKind {
  const v = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  return v === 'heartbeat' || v === 'refused' ? v : 'outcome';
}
