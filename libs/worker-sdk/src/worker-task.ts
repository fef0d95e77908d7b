import type { DaneDocument, FrameTask, ReplyOutcome } from '@dane/protocol';

/**
 * The task as a worker sees it: `Task.to_json()` of the message body (docs/protocol.md, Task) plus the
 * dispatch attempt (header `x-dane-attempt`; undefined when a server without attempts, Python DANE, sent the
 * task). Decoded by the protocol's task frame decoder (@dane/protocol decodeTaskFrame).
 */
export type WorkerTask = FrameTask;

/** The document of the message body (docs/protocol.md, Document). */
export type WorkerDocument = DaneDocument;

/**
 * What a callback returns: a DANE state and a short human-readable message; `dependencies` with 412
 * (docs/protocol.md, Replies); any other key (e.g. `size`) travels in the reply and is ignored by the server.
 */
export type WorkerOutcome = ReplyOutcome;
