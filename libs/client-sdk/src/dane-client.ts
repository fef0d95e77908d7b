import { CampaignsApi } from './api/campaigns-api';
import { DocumentSearchQuery, DocumentsApi } from './api/documents-api';
import { ResultsApi } from './api/results-api';
import { ServerApi } from './api/server-api';
import { TaskListFilter, TasksApi } from './api/tasks-api';
import { assignMany, AssignManyOutcome } from './bulk/assign-many';
import type { ChunkOptions } from './bulk/chunks';
import { registerMany, RegisterManyOutcome } from './bulk/register-many';
import { HttpTransport, TransportOptions } from './http/http-transport';
import { Document } from './model/document';
import { Result } from './model/result';
import { Task } from './model/task';
import type { DocumentInput, DocumentView, GeneratorInput, ResultView, TaskSpec, TaskView } from './model/views';
import type { PagedQuery } from './paging/page';

export type DaneClientOptions = TransportOptions;

/**
 * The DANE REST API for TypeScript. The resource APIs (`documents`, `tasks`, `results`, `server`)
 * answer the API's views; the model classes (Document, Task, Result) carry the seed docs'
 * operations and are made here, bound to this client.
 *
 *   const dane = new DaneClient({ baseUrl: 'http://localhost:5500' });
 *   const doc = await dane.document({ target: { id: 'ITM1', url, type: 'Video' }, creator }).register();
 *   const task = await doc.assign('ASR');
 */
export class DaneClient {
  readonly http: HttpTransport;
  readonly documents: DocumentsApi;
  readonly tasks: TasksApi;
  readonly results: ResultsApi;
  readonly server: ServerApi;
  /** Campaigns: assign or re-run a selection at most max_in_flight at a time (docs/protocol.md, Campaigns). */
  readonly campaigns: CampaignsApi;

  constructor(options: DaneClientOptions) {
    this.http = new HttpTransport(options);
    this.documents = new DocumentsApi(this.http);
    this.tasks = new TasksApi(this.http);
    this.results = new ResultsApi(this.http);
    this.server = new ServerApi(this.http);
    this.campaigns = new CampaignsApi(this.http);
  }

  /** The server root, e.g. `http://localhost:5500`. */
  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** A new, unregistered document bound to this client; `.register()` stores it. */
  document(input: DocumentInput): Document {
    return new Document(input.target, input.creator, {}, this);
  }

  /** A new, unassigned task bound to this client; `.assign(docId)` assigns it. */
  task(spec: string | TaskSpec): Task {
    return new Task(spec, this);
  }

  /** A new, unsaved result bound to this client; `.save(taskId)` stores it. */
  result(generator: GeneratorInput, payload: Record<string, unknown> = {}): Result {
    return new Result(generator, payload, undefined, this);
  }

  async getDocument(id: string): Promise<Document> {
    return this.asDocument(await this.documents.get(id));
  }

  async getTask(id: string): Promise<Task> {
    return this.asTask(await this.tasks.get(id));
  }

  async getResult(id: string): Promise<Result> {
    return this.asResult(await this.results.get(id));
  }

  /** Many documents in chunks of `POST /DANE/documents/`; existing ones are reported, not failed. */
  registerMany(inputs: readonly DocumentInput[], options?: ChunkOptions): Promise<RegisterManyOutcome> {
    return registerMany(this.documents, inputs, options);
  }

  /** One task spec for many documents, in chunks of the list form of `POST /DANE/task/`. */
  assignMany(documentIds: readonly string[], spec: string | TaskSpec, options?: ChunkOptions): Promise<AssignManyOutcome> {
    return assignMany(this.tasks, documentIds, typeof spec === 'string' ? { key: spec } : spec, options);
  }

  /** Documents by wildcard patterns on target.id and creator.id, paged. */
  search(query: DocumentSearchQuery = {}): PagedQuery<Document> {
    return this.documents.search(query).map((view) => this.asDocument(view));
  }

  /** Tasks by key and state, paged with a total. */
  listTasks(filter: TaskListFilter = {}): PagedQuery<Task> {
    return this.tasks.list(filter).map((view) => this.asTask(view));
  }

  asDocument(view: DocumentView): Document {
    return Document.fromJSON({ ...view }, this);
  }

  asTask(view: TaskView): Task {
    return Task.fromView(view, this);
  }

  asResult(view: ResultView): Result {
    return Result.fromView(view, this);
  }
}
