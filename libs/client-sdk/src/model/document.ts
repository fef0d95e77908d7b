import { withStringIds } from '@dane/protocol';
import type { DaneClient } from '../dane-client';
import type { PagedQuery } from '../paging/page';
import { requireClient, requireId } from './require-client';
import type { Result } from './result';
import { Task } from './task';
import type { Creator, DocumentInput, DocumentView, Target, TaskSpec } from './views';

export interface DocumentMeta {
  _id?: string;
  created_at?: string | null;
  updated_at?: string | null;
}

/** Python `Document.to_json()` (docs/protocol.md, Document): this key order, timestamps present even when null, `_id` only when set. */
export interface DocumentJson {
  target: Target;
  creator: Creator;
  created_at: string | null;
  updated_at: string | null;
  _id?: string;
}

/**
 * A document (seed doc `DANE.Document`): a media target and its creator, registered with the
 * server, with tasks assigned to it.
 */
export class Document {
  target: Target;
  creator: Creator;
  _id?: string;
  created_at: string | null;
  updated_at: string | null;
  private client?: DaneClient;

  /**
   * A number or boolean id given here is kept as its Python `str()` (`12345` → "12345", `true` →
   * "True"): the server hashes and stores ids so, hence `target.id` and `creator.id` are strings
   * whether the document was built here or read (withStringIds of @dane/protocol).
   */
  constructor(target: DocumentInput['target'], creator: DocumentInput['creator'], meta: DocumentMeta = {}, client?: DaneClient) {
    const ids = withStringIds({ target: { ...target }, creator: { ...creator } });
    this.target = ids.target as Target;
    this.creator = ids.creator as Creator;
    this._id = meta._id;
    this.created_at = meta.created_at ?? null;
    this.updated_at = meta.updated_at ?? null;
    this.client = client;
  }

  /** Python `Document.from_json`: a JSON string or object (`to_json` form or the REST view). */
  static fromJSON(json: string | Record<string, unknown>, client?: DaneClient): Document {
    const data = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<DocumentView>;
    if (typeof data !== 'object' || data === null || !data.target || !data.creator) throw new TypeError('A serialised document has a target and a creator');
    return new Document(data.target, data.creator, { _id: data._id, created_at: data.created_at, updated_at: data.updated_at }, client);
  }

  setClient(client: DaneClient): this {
    this.client = client;
    return this;
  }

  toJSON(): DocumentJson {
    const out: DocumentJson = { target: this.target, creator: this.creator, created_at: this.created_at, updated_at: this.updated_at };
    if (this._id) out._id = this._id;
    return out;
  }

  /** Registers it: sets `_id` (sha1 of target.id + creator.id) and timestamps. DocumentExistsError on a duplicate. */
  async register(): Promise<this> {
    return this.update(await this.api().documents.register({ target: this.target, creator: this.creator }));
  }

  /** Deletes it with its tasks and results. */
  async delete(): Promise<void> {
    await this.api().documents.delete(this.id('delete'));
  }

  async refresh(): Promise<this> {
    return this.update(await this.api().documents.get(this.id('refresh')));
  }

  /** Every task of the document (all pages; the original stopped at 10), or only those of one key. */
  async getAssignedTasks(taskKey?: string): Promise<Task[]> {
    const client = this.api();
    const key = taskKey?.toUpperCase();
    const tasks: Task[] = [];
    for await (const view of client.documents.tasks(this.id('getAssignedTasks'))) {
      if (key === undefined || view.key === key) tasks.push(client.asTask(view));
    }
    return tasks;
  }

  /** Assigns a task by key, spec or Task object; answers the assigned Task. */
  async assign(task: string | TaskSpec | Task): Promise<Task> {
    const client = this.api();
    const t = task instanceof Task ? task.setClient(client) : new Task(task, client);
    return t.assign(this.id('assign'));
  }

  /** Results of the document's tasks, optionally of one task key. */
  results(taskKey?: string): PagedQuery<Result> {
    const client = this.api();
    return client.results.find({ documentId: this.id('results'), taskKey }).map((view) => client.asResult(view));
  }

  private update(read: DocumentView): this {
    const view = withStringIds(read);
    this._id = view._id;
    this.target = view.target;
    this.creator = view.creator;
    this.created_at = view.created_at;
    this.updated_at = view.updated_at;
    return this;
  }

  private api(): DaneClient {
    return requireClient(this.client, `Document ${String(this.target?.id)}`);
  }

  private id(action: string): string {
    return requireId(this._id, `Document ${String(this.target?.id)} (${action})`);
  }
}
