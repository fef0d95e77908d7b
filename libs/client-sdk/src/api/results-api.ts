import { BODY_CHECKS } from '../http/body-checks';
import type { HttpTransport } from '../http/http-transport';
import { PagedQuery, pageFromBody } from '../paging/page';
import type { ResultInput, ResultView } from '../model/views';
import { seg } from './paths';

export interface ResultQuery {
  taskId?: string;
  documentId?: string;
  /** Matched upper-cased. */
  taskKey?: string;
  creatorId?: string;
  generatorName?: string;
  generatorId?: string;
}

/** The /DANE/result(s) routes. */
export class ResultsApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * POST /DANE/task/<id>/result → the stored result with its `_id`. A body ResultCreateDto refuses
   * is not sent: BadRequestError with the server's message.
   */
  async save(taskId: string, result: ResultInput): Promise<ResultView> {
    const body = { generator: result.generator, payload: result.payload };
    return (await this.http.request<ResultView>('POST', `/DANE/task/${seg(taskId)}/result`, { body, check: BODY_CHECKS.result })).body;
  }

  async get(id: string): Promise<ResultView> {
    return (await this.http.get<ResultView>(`/DANE/result/${seg(id)}`)).body;
  }

  async delete(id: string): Promise<void> {
    await this.http.delete(`/DANE/result/${seg(id)}`);
  }

  /** GET /DANE/results/: the filters combine. */
  find(query: ResultQuery): PagedQuery<ResultView> {
    return new PagedQuery(async (page, size) => {
      const res = await this.http.get<Record<string, unknown>>('/DANE/results/', {
        task_id: query.taskId,
        document_id: query.documentId,
        task_key: query.taskKey,
        creator_id: query.creatorId,
        generator_name: query.generatorName,
        generator_id: query.generatorId,
        page,
        size,
      });
      return pageFromBody<ResultView>(res.body, 'results', page, size);
    });
  }
}
