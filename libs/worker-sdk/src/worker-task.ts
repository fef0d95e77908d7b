import type { DaneDocument } from '@dane/core/model';

/** The task as a worker sees it: `Task.to_json()` of the message body (§1.2) plus the dispatch attempt. */
export interface WorkerTask {
  _id: string;
  /** Upper-case task key, e.g. `ASR`. */
  key: string;
  /** State and message read before the server set 102 (201 "Created", or 205/502/… on re-runs, §3.2). */
  state?: number;
  msg?: string;
  priority: number;
  args: Record<string, unknown>;
  created_at?: string;
  updated_at?: string;
  /** From header `x-dane-attempt`; undefined when a server without attempts (Python DANE) sent the task. */
  attempt?: number;
}

/** The document of the message body (§1.1). */
export type WorkerDocument = DaneDocument;

/**
 * What a callback returns: a DANE state and a short human-readable message; `dependencies` with 412
 * (§3.4); any other key (e.g. `size`) travels in the reply and is ignored by the server.
 */
export interface WorkerOutcome {
  state: number;
  message: string;
  dependencies?: Array<string | Record<string, unknown>>;
  [extra: string]: unknown;
}
