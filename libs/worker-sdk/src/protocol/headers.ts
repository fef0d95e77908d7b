import type { MessagePropertyHeaders } from 'amqplib';
import { ATTEMPT_HEADER, DEPENDENCIES_DONE_HEADER } from '@dane/core/protocol';

export { ATTEMPT_HEADER, DEPENDENCIES_DONE_HEADER, REPLY_KIND_HEADER } from '@dane/core/protocol';


/** Values of `x-dane-kind` on worker replies. */
export const ReplyKind = { HEARTBEAT: 'heartbeat', REFUSED: 'refused' } as const;

/** `x-dane-attempt` as a positive integer, or undefined (absent or garbled). */
export function attemptOf(headers: MessagePropertyHeaders | undefined): number | undefined {
  const raw = headers?.[ATTEMPT_HEADER];
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? parseInt(raw, 10) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** True for `true`, `"true"`, `1`, `"1"` — AMQP header tables carry booleans, but be lenient with other clients. */
export function dependenciesDone(headers: MessagePropertyHeaders | undefined): boolean {
  const raw = headers?.[DEPENDENCIES_DONE_HEADER];
  return raw === true || raw === 1 || raw === 'true' || raw === '1';
}
