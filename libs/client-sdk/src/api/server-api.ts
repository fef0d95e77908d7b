import type { HttpTransport } from '../http/http-transport';
import { PagedQuery, pageFromHeaders } from '../paging/page';
import type { TaskCount, WorkerQueue } from '../model/views';

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
    const body = (await this.http.get<{ counts?: TaskCount[] }>('/manage/api/snapshot')).body;
    return Array.isArray(body?.counts) ? body.counts : [];
  }
}
