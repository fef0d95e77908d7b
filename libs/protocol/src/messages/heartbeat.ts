import { TaskState } from '../state/task-state';
import { ReplyKindHeader } from './headers';
import { encodeReply, readReply, type EncodedReply, type ReplyAddress, type ReplyMessage, type ReplyOutcome } from './reply';

/**
 * The heartbeat: a reply with state 102 and `x-dane-kind: heartbeat`, sent by our worker SDK while a
 * callback runs. It extends the task's lease and may carry progress in its message; it never ends
 * the task. Python workers send none.
 */

/** The message of a heartbeat without progress. */
export const HEARTBEAT_DEFAULT_MESSAGE = 'Processing';

/** The reply body of a heartbeat. */
export function heartbeatOutcome(progress?: string): ReplyOutcome {
  return { state: TaskState.QUEUED, message: progress ?? HEARTBEAT_DEFAULT_MESSAGE };
}

export function encodeHeartbeat(to: ReplyAddress, progress?: string): EncodedReply {
  return encodeReply(to, heartbeatOutcome(progress), ReplyKindHeader.HEARTBEAT);
}

export interface HeartbeatMessage {
  taskId: string;
  attempt?: number;
  progress: string;
}

export type DecodedHeartbeat = { ok: true; heartbeat: HeartbeatMessage } | { ok: false; reason: string; taskId?: string };

/** A response-queue delivery read as a heartbeat; anything that is no heartbeat is a failure saying what it is. */
export function decodeHeartbeat(msg: ReplyMessage): DecodedHeartbeat {
  const read = readReply(msg);
  if (!read.ok) return read;
  const { kind, reply, attempt } = read.incoming;
  if (kind !== 'heartbeat') return { ok: false, taskId: read.taskId, reason: `reply of kind ${kind} is no heartbeat` };
  if (reply.state !== TaskState.QUEUED) return { ok: false, taskId: read.taskId, reason: `heartbeat with state ${reply.state} (expected ${TaskState.QUEUED})` };
  return { ok: true, heartbeat: { taskId: read.taskId, attempt, progress: reply.message } };
}
