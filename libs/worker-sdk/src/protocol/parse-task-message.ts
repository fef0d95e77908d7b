import { type DaneDocument, checkFrameDocument, decodeTaskBody } from '@dane/protocol';
import type { WorkerOutcome, WorkerTask } from '../worker-task';

export type ParsedTaskMessage = { ok: true; task: WorkerTask; document: DaneDocument } | { ok: false; reply: WorkerOutcome };

/**
 * Reads a task message body `{task, document}` (docs/protocol.md, Task message) with the Python worker's
 * strictness: the protocol's task frame decoder (@dane/protocol decodeTaskBody); `reply` is what to answer when
 * it fails.
 */
export function parseTaskMessage(content: Buffer | string, fallbackTaskId?: string, attempt?: number): ParsedTaskMessage {
  const decoded = decodeTaskBody(content, fallbackTaskId, attempt);
  return decoded.ok ? { ok: true, task: decoded.task, document: decoded.document } : { ok: false, reply: { ...decoded.reply } };
}

/** The document rules of the Python constructor: the reply they lead to, or undefined when it is fine. */
export function checkDocument(document: unknown): WorkerOutcome | undefined {
  const problem = checkFrameDocument(document);
  return problem ? { ...problem } : undefined;
}
