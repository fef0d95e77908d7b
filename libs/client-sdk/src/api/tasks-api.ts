import type { TaskCancelSummaryView, TaskCancelView, TaskClaimView, TaskOutcomeBody } from '@dane/protocol';
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

/** What POST /DANE/task/claim answers: the server's own view type, with the client's views. */
export type TaskClaim = TaskClaimView<TaskView, DocumentView>;

/** The outcome of a claimed attempt (a worker reply: docs/protocol.md, Replies). */
export type TaskOutcome = TaskOutcomeBody;

/** Which tasks `cancelMany` cancels: the criteria combine with AND; at least one of key, creator, documentIds, taskIds. */
export interface TaskCancelFilter {
  key?: string;
  /** Only tasks in these states (codes). */
  states?: readonly number[];
  /** Tasks of the documents of this creator.id. */
  creator?: string;
  documentIds?: readonly string[];
  taskIds?: readonly string[];
}

export interface TaskCancelOptions {
  /** Also cancel the dependants on the same document (transitively); without it, 412 dependants say `blocked by KEY: cancelled`. */
  cascade?: boolean;
}

/** What POST /DANE/task/<id>/cancel answers: the server's own view type, with the client's TaskView. */
export type TaskCancelAnswer = TaskCancelView<TaskView>;

/** What POST /DANE/task/cancel answers (docs/protocol.md, Cancellation): the server's own view type. */
export type TaskCancelSummary = TaskCancelSummaryView;

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

  /**
   * POST /DANE/task/<id>/cancel: the task → 499 CANCELLED (a worker running it is told through ctx.signal; its late
   * reply changes nothing). NotFoundError (404) for an unknown task, TaskStateError (409) when it is done or cancelled
   * already. Needs the operate role.
   */
  async cancel(id: string, options: TaskCancelOptions = {}): Promise<TaskCancelAnswer> {
    return (await this.http.post<TaskCancelAnswer>(`/DANE/task/${seg(id)}/cancel`, undefined, options.cascade ? { cascade: 'true' } : undefined)).body;
  }

  /** POST /DANE/task/cancel: every task the filter selects; done and cancelled ones are counted, not changed. Needs the operate role. */
  async cancelMany(filter: TaskCancelFilter, options: TaskCancelOptions = {}): Promise<TaskCancelSummary> {
    const body = { key: filter.key, states: filter.states, creator: filter.creator, document_ids: filter.documentIds, task_ids: filter.taskIds };
    return (await this.http.post<TaskCancelSummary>('/DANE/task/cancel', body, options.cascade ? { cascade: 'true' } : undefined)).body;
  }

  /**
   * POST /DANE/task/claim (docs/protocol.md, Batch runs): the task of `key` on the document — assigned when missing —
   * claimed to run it outside the queue (102, a new attempt, a lease). TaskStateError (409) when it is in flight,
   * done (without `force`) or waiting for a dependency. Needs the operate role.
   */
  async claim(documentId: string, key: string, options: { force?: boolean } = {}): Promise<TaskClaim> {
    const body = (await this.http.post<TaskClaim>('/DANE/task/claim', { document_id: documentId, key, force: options.force === true })).body;
    return { ...body, document: documentView(body.document) };
  }

  /** POST /DANE/task/claim/<id>/heartbeat: extends the claim's lease; TaskStateError (409) when the attempt is no longer in flight. */
  async heartbeat(id: string, attempt: number, message?: string): Promise<{ task_id: string; attempt: number; lease_seconds: number }> {
    return (
      await this.http.post<{ task_id: string; attempt: number; lease_seconds: number }>(
        `/DANE/task/claim/${seg(id)}/heartbeat`,
        message === undefined ? { attempt } : { attempt, message },
      )
    ).body;
  }

  /** POST /DANE/task/claim/<id>/outcome: the claimed attempt's outcome, applied as a worker reply; the task as stored. */
  async reportOutcome(id: string, attempt: number, outcome: TaskOutcome): Promise<TaskView> {
    return (await this.http.post<TaskView>(`/DANE/task/claim/${seg(id)}/outcome`, { attempt, ...outcome })).body;
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
