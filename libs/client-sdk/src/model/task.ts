import { DISPATCHABLE_STATES, isDone, stateInfo, TaskState } from '@dane/protocol';
import type { AssignManyOutcome } from '../bulk/assign-many';
import type { DaneClient } from '../dane-client';
import type { TaskActionOptions } from '../api/tasks-api';
import { TaskStateError } from '../errors/task-state-error';
import type { PagedQuery } from '../paging/page';
import type { Document } from './document';
import { requireClient, requireId } from './require-client';
import type { Result } from './result';
import { TaskFields, taskFields, taskFieldsFromJson, taskToJson } from './task-json';
import type { TaskJson, TaskSpec, TaskView } from './views';

/**
 * States from which Python's `run()` queued a task (docs/protocol.md, Task states: 201, 205, 412, 502, 503). Here the
 * scheduler dispatches those by itself; `run()` maps to a retry, which makes the task due now.
 */
export const RUN_STATES: readonly number[] = [...DISPATCHABLE_STATES, TaskState.UNFINISHED_DEPENDENCY];

/**
 * A task (seed doc `DANE.Task`): a key with priority and args, assigned to a document, with the
 * Python operations over the REST API. The last state read from the server is `stateCode`
 * (`state()` and `isDone()` ask the server again and refresh it; Python's attribute and method
 * shared one name).
 */
export class Task {
  key: string;
  priority: number;
  args: Record<string, unknown>;
  depends_on: string[];
  _id?: string;
  stateCode?: number;
  msg?: string;
  created_at?: string;
  updated_at?: string;
  document_id?: string;
  attempt?: number;
  private client?: DaneClient;

  /** `new Task('ASR')` or `new Task({ key: 'ASR', priority: 2, args: { lang: 'nl' } })`. */
  constructor(spec: string | TaskSpec | TaskFields, client?: DaneClient) {
    this.apply(taskFields(typeof spec === 'string' ? { key: spec } : { ...spec }));
    this.client = client;
  }

  /** Python `Task.from_json`: a JSON string or object, also the REST view (string state, `{"*": null}`). */
  static fromJSON(json: string | Record<string, unknown>, client?: DaneClient): Task {
    return new Task(taskFieldsFromJson(json), client);
  }

  static fromView(view: TaskView, client?: DaneClient): Task {
    return new Task(taskFields({ ...view }), client);
  }

  setClient(client: DaneClient): this {
    this.client = client;
    return this;
  }

  /** Python `Task.to_json()` shape; also what JSON.stringify(task) writes. */
  toJSON(): TaskJson {
    return taskToJson(this.fields());
  }

  /** What assigning this task sends. */
  spec(): TaskSpec {
    return { key: this.key, priority: this.priority, args: this.args, ...(this.depends_on.length ? { depends_on: this.depends_on } : {}) };
  }

  /** Name of the last known state, e.g. `SUCCESS`. */
  get stateName(): string | undefined {
    return this.stateCode === undefined ? undefined : stateInfo(this.stateCode)?.name;
  }

  /** Assign to a document: sets `_id`, state and msg. TaskAssignedError when the key is there already. */
  async assign(documentId: string): Promise<this> {
    return this.update(await this.api().tasks.assign(documentId, this.spec()));
  }

  /** Assign to many documents (chunked list form); per-document outcome. This object stays unassigned. */
  assignMany(documentIds: readonly string[]): Promise<AssignManyOutcome> {
    return this.api().assignMany(documentIds, this.spec());
  }

  /**
   * Python `run()`: only from 201, 205, 412, 502 or 503, else a no-op. Maps to `GET
   * /DANE/task/<id>/retry` (→ 201 now, back-off cleared; 412 again while dependencies are open).
   */
  async run(): Promise<this> {
    await this.refresh();
    if (!RUN_STATES.includes(this.stateCode!)) return this;
    try {
      return this.update(await this.api().tasks.retry(this.id('run')));
    } catch (err) {
      // Dispatched between our read and the retry: it runs, which is what was asked.
      if (err instanceof TaskStateError) return this.refresh();
      throw err;
    }
  }

  /** Run again after an error: `retry` (refused for 102/200 with TaskStateError) or, forced, `forceretry`. */
  async retry(force = false, options: TaskActionOptions = {}): Promise<this> {
    return this.update(await this.api().tasks.retry(this.id('retry'), { ...options, force }));
  }

  /** Back to 201 "Reset" (re-run after an upstream task was force-retried). */
  async reset(options: TaskActionOptions = {}): Promise<this> {
    return this.update(await this.api().tasks.reset(this.id('reset'), options));
  }

  /** Re-read state, msg and the rest from the server. */
  async refresh(): Promise<this> {
    return this.update(await this.api().tasks.get(this.id('refresh')));
  }

  /**
   * Whether the task is done (state 200) on the server now. Like `state()` (and Python's
   * `isDone()`, which is `state() == 200`) it asks the server every time and refreshes this object
   * on the way, so `isDone()`, `state()`, `stateCode`, `stateName` and `msg` always agree on the
   * latest state read — polling with `isDone()` alone sees the task finish. Without a round trip,
   * `stateCode` is the last state known.
   */
  async isDone(): Promise<boolean> {
    return isDone(await this.state());
  }

  /** The state on the server now; refreshes this object (`stateCode`, `msg`, …) with it. */
  async state(): Promise<number> {
    await this.refresh();
    return this.stateCode!;
  }

  /** Deletes the task and its results. */
  async delete(): Promise<void> {
    await this.api().tasks.delete(this.id('delete'));
  }

  async document(): Promise<Document> {
    const client = this.api();
    return client.asDocument(await client.tasks.document(this.id('document')));
  }

  results(): PagedQuery<Result> {
    const client = this.api();
    return client.tasks.results(this.id('results')).map((view) => client.asResult(view));
  }

  private fields(): TaskFields {
    const { key, priority, args, depends_on, _id, stateCode: state, msg, created_at, updated_at, document_id, attempt } = this;
    return { key, priority, args, depends_on, _id, state, msg, created_at, updated_at, document_id, attempt };
  }

  private apply(f: TaskFields): void {
    this.key = f.key;
    this.priority = f.priority;
    this.args = f.args;
    this.depends_on = f.depends_on;
    this._id = f._id;
    this.stateCode = f.state;
    this.msg = f.msg;
    this.created_at = f.created_at;
    this.updated_at = f.updated_at;
    this.document_id = f.document_id;
    this.attempt = f.attempt;
  }

  private update(view: TaskView): this {
    this.apply(taskFields({ ...view }));
    return this;
  }

  private api(): DaneClient {
    return requireClient(this.client, `Task ${this.key}`);
  }

  private id(action: string): string {
    return requireId(this._id, `Task ${this.key} (${action})`);
  }
}
