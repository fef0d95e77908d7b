/**
 * AMQP header extensions of the DANE protocol (docs/architecture.md, Messages). They ride in headers the
 * original Python server and worker ignore, so both keep working against us.
 */

/** Dispatch attempt: set by the scheduler on a task frame, echoed on every reply, heartbeat and result. */
export const ATTEMPT_HEADER = 'x-dane-attempt';
/** Set on replies by our worker SDK: 'heartbeat' (state 102 with progress) or 'refused' (RefuseJob). */
export const REPLY_KIND_HEADER = 'x-dane-kind';

/**
 * Set (to `true`) by the scheduler on a task message whose depends_on keys are all 200. A worker
 * declared with `dependsOn` runs only tasks that carry it; otherwise it answers 412 with its keys.
 * Workers never read the store (architecture principle 7), so the message must say it.
 */
export const DEPENDENCIES_DONE_HEADER = 'x-dane-dependencies-done';

/** Values of `x-dane-kind` on worker replies. */
export const ReplyKindHeader = { HEARTBEAT: 'heartbeat', REFUSED: 'refused' } as const;
export type ReplyKindHeaderValue = (typeof ReplyKindHeader)[keyof typeof ReplyKindHeader];

/** Header tables as amqplib hands them over (`MessagePropertyHeaders`), without depending on amqplib. */
export type HeaderTable = Record<string, unknown> | undefined | null;

export type DecodedAttempt = { ok: true; attempt: number | undefined } | { ok: false; reason: string };

/**
 * THE rule for `x-dane-attempt`, on task frames, replies, heartbeats and results alike:
 * absent (undefined/null) → no attempt (a Python DANE server or worker sent the message);
 * a non-negative safe integer given as a number, a decimal string (surrounding blanks allowed) or the
 * bytes of one (AMQP long strings may arrive as a Buffer) → that number;
 * anything else → a failure with a reason. Attempts start at 1 on dispatch; 0 is a task never dispatched.
 */
export function decodeAttempt(value: unknown): DecodedAttempt {
  if (value === undefined || value === null) return { ok: true, attempt: undefined };
  const v = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (Number.isSafeInteger(n) && n >= 0) return { ok: true, attempt: n };
  return { ok: false, reason: `header ${ATTEMPT_HEADER} is not an attempt number (${JSON.stringify(describeValue(v))})` };
}

/** The attempt header of a header table, by the one rule above. */
export function attemptOfHeaders(headers: HeaderTable): DecodedAttempt {
  return decodeAttempt(headers?.[ATTEMPT_HEADER]);
}

/** Headers carrying the attempt (always written as an AMQP number), or nothing when there is none. */
export function attemptHeaders(attempt: number | undefined): Record<string, unknown> {
  return attempt === undefined ? {} : { [ATTEMPT_HEADER]: attempt };
}

/** True for `true`, `"true"`, `1`, `"1"` — AMQP header tables carry booleans, but be lenient with other clients. */
export function decodeDependenciesDone(value: unknown): boolean {
  const v = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  return v === true || v === 1 || v === 'true' || v === '1';
}

/** `x-dane-kind` of a reply: 'heartbeat', 'refused', or 'outcome' (absent or anything else). */
export function decodeReplyKind(value: unknown): 'outcome' | ReplyKindHeaderValue {
  const v = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  return v === ReplyKindHeader.HEARTBEAT || v === ReplyKindHeader.REFUSED ? v : 'outcome';
}

function describeValue(v: unknown): string {
  return typeof v === 'string' ? v.slice(0, 60) : String(v);
}
