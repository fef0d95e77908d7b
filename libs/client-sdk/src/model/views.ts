import type { Creator, Target } from '@dane/core/model/document';

export type { Creator, Target };

/** What `POST /DANE/document/` takes: target {id, url, type} and creator {id, type} (§1.1). */
export interface DocumentInput {
  target: Target | { id: string | number; url: string; type: string; [extra: string]: unknown };
  creator: Creator | { id: string | number; type: string; [extra: string]: unknown };
}

/** Marshalled Document as the API answers it (§1.1 REST form). */
export interface DocumentView {
  _id: string;
  target: Target;
  creator: Creator;
  created_at: string | null;
  updated_at: string | null;
}

/**
 * Marshalled Task (§1.2 REST form): `state` is a string (`"201"`), `args` is `{"*": null}` when
 * empty; document_id, depends_on and attempt are this server's extensions.
 */
export interface TaskView {
  _id: string;
  key: string;
  state: string;
  msg: string | null;
  priority: number;
  created_at: string | null;
  updated_at: string | null;
  args: Record<string, unknown>;
  document_id?: string;
  depends_on?: string[];
  attempt?: number;
}

/** Python `Task.to_json()` (§1.2): integer state, null values dropped, args only when non-empty. */
export interface TaskJson {
  key: string;
  _id?: string;
  state?: number;
  msg?: string;
  created_at?: string;
  updated_at?: string;
  priority?: number;
  args?: Record<string, unknown>;
}

export interface Generator {
  id: string;
  name: string;
  type: string;
  homepage?: string | null;
}

/** Marshalled Result (§1.3), with the task it belongs to. */
export interface ResultView {
  _id: string;
  generator: Generator;
  payload: Record<string, unknown>;
  created_at: string | null;
  updated_at: string | null;
  task_id?: string;
  document_id?: string;
  task_key?: string;
}

/** What a task is assigned with: a key, and optionally priority (0..10), args and dependencies. */
export interface TaskSpec {
  key: string;
  priority?: number;
  args?: Record<string, unknown>;
  /** Keys of tasks on the same document that must be 200 first; the task waits in 412 until then. */
  depends_on?: string[];
}

/** One worker queue (`GET /DANE/workers/`, §3.7). */
export interface WorkerQueue {
  name: string;
  active_workers: number;
  in_queue: number;
}

/** Answer of a mass reset (`GET /DANE/workers/<key>/reset/<state>`). */
export interface MassResetOutcome {
  total: number;
  error: string;
}

/** Failed element of `POST /DANE/documents/`. */
export interface DocumentFailureView {
  index: number;
  document: DocumentView | null;
  invalid: unknown;
  error: string;
}

/** Failed element of the list form of `POST /DANE/task/`. */
export interface TaskFailureView {
  document_id: unknown;
  error: string;
}

/** Task counts of one key in one state (`store.tasks.countByKeyAndState()`, via /manage/api/snapshot). */
export interface TaskCount {
  key: string;
  state: number;
  count: number;
}
