import { BODY_CHECKS } from '../http/body-checks';
import type { HttpTransport } from '../http/http-transport';
import { PagedQuery, pageFromBody, pageFromHeaders } from '../paging/page';
import type { DocumentView, MassResetOutcome, ResultView, TaskFailureView, TaskJson, TaskSpec, TaskView } from '../model/views';
import { seg } from './paths';
import { documentView } from './documents-api';

/** The manual actions of docs/protocol.md, Manual interventions. */
export type TaskAction = 'retry' | 'forceretry' | 'reset';

export interface TaskActionOptions {
  /** Also put the task's dependants (transitively) back to 412: they will run again after it. */
  cascade?: boolean;
}

export interface TaskBulkAnswer {
  success: TaskView[];
  failed: TaskFailureView[];
}

export interface TaskListFilter {
  /** Task key (matched upper-cased). */
  key?: string;
  /** Task states; none = every state. */
  states?: readonly number[];
}

/** The /DANE/task routes, the per-key task routes of /DANE/workers, and the dashboard's task list. */
export class TasksApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * POST /DANE/task/ for one document → the task (201/"Created", or 412 while dependencies are
   * open). A body TaskAssignDto refuses is not sent: BadRequestError with the server's message.
   */
  async assign(documentId: string, spec: TaskSpec): Promise<TaskView> {
    return (await this.http.request<TaskView>('POST', '/DANE/task/', { body: { ...spec, document_id: documentId }, check: BODY_CHECKS.taskAssignment })).body;
  }

  /** POST /DANE/task/ list form — one request; per-document outcome. Checked against TaskAssignDto first, as `assign`. */
  async assignMany(documentIds: readonly string[], spec: TaskSpec): Promise<TaskBulkAnswer> {
    const body = (await this.http.request<TaskBulkAnswer>('POST', '/DANE/task/', { body: { ...spec, document_id: documentIds }, check: BODY_CHECKS.taskAssignment })).body;
    return { success: body?.success ?? [], failed: body?.failed ?? [] };
  }

  async get(id: string): Promise<TaskView> {
    return (await this.http.get<TaskView>(`/DANE/task/${seg(id)}`)).body;
  }

  async delete(id: string): Promise<void> {
    await this.http.delete(`/DANE/task/${seg(id)}`);
  }

  async document(id: string): Promise<DocumentView> {
    return documentView((await this.http.get<DocumentView>(`/DANE/task/${seg(id)}/document`)).body);
  }

  /** GET /DANE/task/<id>/<action>: the task re-read after the action. */
  async act(id: string, action: TaskAction, options: TaskActionOptions = {}): Promise<TaskView> {
    const query = options.cascade ? { cascade: 'true' } : undefined;
    return (await this.http.get<TaskView>(`/DANE/task/${seg(id)}/${action}`, query)).body;
  }

  /** retry (refused with TaskStateError for 102/200) or, with force, forceretry (any state). */
  retry(id: string, options: TaskActionOptions & { force?: boolean } = {}): Promise<TaskView> {
    return this.act(id, options.force ? 'forceretry' : 'retry', options);
  }

  /** Back to 201 "Reset"; the scheduler dispatches it. */
  reset(id: string, options: TaskActionOptions = {}): Promise<TaskView> {
    return this.act(id, 'reset', options);
  }

  results(id: string): PagedQuery<ResultView> {
    return new PagedQuery(async (page, size) => pageFromHeaders(await this.http.get<ResultView[]>(`/DANE/task/${seg(id)}/results`, { page, size }), page, size));
  }

  /** GET /DANE/task/: tasks neither done nor waiting for dependencies, in Python `to_json` form. */
  unfinished(): PagedQuery<TaskJson> {
    return new PagedQuery(async (page, size) => pageFromHeaders(await this.http.get<TaskJson[]>('/DANE/task/', { page, size }), page, size));
  }

  /** GET /DANE/workers/<key>: tasks of a key that errored or wait for a person. */
  errored(key: string): PagedQuery<TaskView> {
    return new PagedQuery(async (page, size) =>
      pageFromBody<TaskView>((await this.http.get<Record<string, unknown>>(`/DANE/workers/${seg(key)}`, { page, size })).body, 'tasks', page, size),
    );
  }

  /** Every task of `key` in `state` (server default 500) → 205 "Manual reset". */
  async massReset(key: string, state?: number): Promise<MassResetOutcome> {
    const path = state === undefined ? `/DANE/workers/${seg(key)}/reset` : `/DANE/workers/${seg(key)}/reset/${state}`;
    return (await this.http.get<MassResetOutcome>(path)).body;
  }

  /**
   * Tasks by key and state, any combination, paged with a total. The /DANE routes have no such
   * list, so this reads the dashboard's `GET /manage/api/tasks` (served by the API process).
   */
  list(filter: TaskListFilter = {}): PagedQuery<TaskView> {
    return new PagedQuery(async (page, size) => {
      const res = await this.http.get<TaskView[]>('/manage/api/tasks', { key: filter.key, state: filter.states?.length ? filter.states.join(',') : undefined, page, size });
      return pageFromHeaders(res, page, size);
    });
  }
}
