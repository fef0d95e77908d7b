import type { CreatorDto, DocumentCreateDto, TargetDto, GeneratorDto, ResultCreateDto, TaskSpecDto, Creator, Target } from '@dane/protocol';

export type { Creator, Target };

/*
 * The request bodies the client sends are the dane-core DTOs the API validates them with
 * (DocumentCreateDto, TaskSpecDto/TaskAssignDto, ResultCreateDto); the client checks every body
 * against the same class before sending it (see http/body-checks.ts).
 */

/**
 * The fields `K` of a request DTO, with the types in `R` in place of the DTO's own for some of
 * them (R's keys must be fields of the DTO too, so a renamed DTO field breaks the build here).
 */
type BodyOf<Dto, K extends keyof Dto, R extends Partial<Record<K, unknown>> = object> = Omit<Pick<Dto, K>, keyof R> & R;

/**
 * A nested DTO (open: extra keys are kept for the workers) whose closed-vocabulary fields `K` also
 * take any string, as callers read them from files and flags: the DTO check names a bad value
 * before anything is sent. `string & {}` keeps the vocabulary's completions.
 */
type OpenVocabulary<Dto, K extends keyof Dto> = { [P in keyof Dto as P extends K ? never : P]: Dto[P] } & { [P in K]: Dto[P] | (string & {}) };

/** `target` of a document body (TargetDto): id, url, type, and any extra keys. */
export type TargetInput = OpenVocabulary<TargetDto, 'type'>;

/** `creator` of a document body (CreatorDto): id, type, and any extra keys. */
export type CreatorInput = OpenVocabulary<CreatorDto, 'type'>;

/** What `POST /DANE/document/` takes (DocumentCreateDto): target {id, url, type} and creator {id, type} (docs/protocol.md, Document). */
export type DocumentInput = BodyOf<DocumentCreateDto, 'target' | 'creator', { target: TargetInput; creator: CreatorInput }>;

/** Marshalled Document as the API answers it (docs/protocol.md, Document REST form). */
export interface DocumentView {
  _id: string;
  target: Target;
  creator: Creator;
  created_at: string | null;
  updated_at: string | null;
}

/**
 * Marshalled Task (docs/protocol.md, Task REST form): `state` is a string (`"201"`), `args` is `{"*": null}` when
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

/** Python `Task.to_json()` (docs/protocol.md, Task): integer state, null values dropped, args only when non-empty. */
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

/** The generator of a stored result, as the API answers it (a type, not an interface, so that it is a GeneratorInput too). */
export type Generator = {
  id: string;
  name: string;
  type: string;
  homepage?: string | null;
};

/** `generator` of a result body (GeneratorDto): id, name, type, optional homepage, and any extra keys. */
export type GeneratorInput = OpenVocabulary<GeneratorDto, 'type'>;

/** What `POST /DANE/task/<id>/result` takes (ResultCreateDto without task_id, which is in the path). */
export type ResultInput = BodyOf<ResultCreateDto, 'generator' | 'payload', { generator: GeneratorInput }>;

/** Marshalled Result (docs/protocol.md, Result), with the task it belongs to. */
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

/**
 * What a task is assigned with (TaskSpecDto; `POST /DANE/task/` adds document_id, TaskAssignDto): a
 * key, and optionally priority (an integer, or a string of digits; clamped to 0..10), args and
 * `depends_on` — keys of tasks on the same document that must be 200 first (the task waits in 412).
 */
export type TaskSpec = BodyOf<TaskSpecDto, 'key' | 'priority' | 'args' | 'depends_on', { args?: Record<string, unknown> }>;

/** One worker queue (`GET /DANE/workers/`, docs/protocol.md, Worker routes). */
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

/** Tasks of one key that need a person: manual states, retries spent, 412 blocked by such a task (via /manage/api/snapshot). */
export interface NeedsPersonCount {
  key: string;
  count: number;
}
