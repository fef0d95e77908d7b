import type { HttpTransport } from '../http/http-transport';
import { PagedQuery, pageFromHeaders } from '../paging/page';
import type { NeedsPersonCount, TaskCount, WorkerQueue } from '../model/views';

/** `/ready` answer. */
export interface Readiness {
  ready: boolean;
  database: string;
  messagequeue: string;
}

/** The server as a whole: liveness, readiness, worker queues and task counts. */
export class ServerApi {
  constructor(private readonly http: HttpTransport) {}

  /** GET /health; throws ServerUnreachableError when nothing answers. */
  async health(): Promise<void> {
    await this.http.get('/health');
  }

  /** GET /ready: 200 or 503, both with the per-service body. */
  async ready(): Promise<Readiness> {
    const res = await this.http.request<Omit<Readiness, 'ready'>>('GET', '/ready', { answerStatuses: [503] });
    return { ready: res.status === 200, database: String(res.body?.database), messagequeue: String(res.body?.messagequeue) };
  }

  /** GET /DANE/workers/: ServiceUnavailableError (503) when the RabbitMQ management API is off. */
  workers(): PagedQuery<WorkerQueue> {
    return new PagedQuery(async (page, size) => pageFromHeaders(await this.http.get<WorkerQueue[]>('/DANE/workers/', { page, size }), page, size));
  }

  /** Task counts by key and state, read from the dashboard's `GET /manage/api/snapshot`. */
  async taskCounts(): Promise<TaskCount[]> {
    return (await this.taskProgress()).counts;
  }

  /**
   * Task counts by key and state, and by key the tasks that need a person (manual states, retries spent, 412
   * blocked by such a task; `needsPerson` undefined from a server that does not count them), in one read of
   * `GET /manage/api/snapshot`.
   */
  async taskProgress(): Promise<{ counts: TaskCount[]; needsPerson?: NeedsPersonCount[] }> {
    const body = (await this.http.get<{ counts?: TaskCount[]; needsPerson?: NeedsPersonCount[] }>('/manage/api/snapshot')).body;
    return { counts: Array.isArray(body?.counts) ? body.counts : [], needsPerson: Array.isArray(body?.needsPerson) ? body.needsPerson : undefined };
  }
}
