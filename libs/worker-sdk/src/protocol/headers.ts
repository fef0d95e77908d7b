import type { MessagePropertyHeaders } from 'amqplib';
import { ReplyKindHeader, attemptOfHeaders, decodeDependenciesDone, DEPENDENCIES_DONE_HEADER } from '@dane/protocol';

export { ATTEMPT_HEADER, DEPENDENCIES_DONE_HEADER, REPLY_KIND_HEADER } from '@dane/protocol';

/** Values of `x-dane-kind` on worker replies. */
export const ReplyKind = ReplyKindHeader;

/** `x-dane-attempt` by the protocol's one attempt rule (@dane/protocol decodeAttempt), or undefined (absent or garbled). */
export function attemptOf(headers: MessagePropertyHeaders | undefined): number | undefined {
  const decoded = attemptOfHeaders(headers);
  return decoded.ok ? decoded.attempt : undefined;
}

/** True for `true`, `"true"`, `1`, `"1"` — AMQP header tables carry booleans, but be lenient with other clients. */
export function dependenciesDone(headers: MessagePropertyHeaders | undefined): boolean {
  return decodeDependenciesDone(headers?.[DEPENDENCIES_DONE_HEADER]);
}
