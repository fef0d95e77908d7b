import { withStringIds } from '@dane/protocol';
import { BODY_CHECKS, bodyProblem } from '../http/body-checks';
import type { HttpTransport } from '../http/http-transport';
import { PagedQuery, pageFromBody, pageFromHeaders } from '../paging/page';
import type { DocumentFailureView, DocumentInput, DocumentView, TaskView } from '../model/views';
import { seg } from './paths';

export interface DocumentSearchQuery {
  /** Wildcard pattern on target.id (`*` any run, `?` one character); default `*`. */
  targetId?: string;
  /** Wildcard pattern on creator.id; default `*`. */
  creatorId?: string;
}

export interface DocumentBulkAnswer {
  success: DocumentView[];
  failed: DocumentFailureView[];
}

/**
 * A document view as read: target.id / creator.id as strings. This server answers strings; one
 * that predates it (or a Python DANE server) answers a number id as it was registered, which is
 * read as its Python `str()` (withStringIds of @dane/protocol).
 */
export const documentView = (view: DocumentView): DocumentView => withStringIds(view);

/** The /DANE/document(s) routes, answering the API's views (ids as strings: documentView). */
export class DocumentsApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * POST /DANE/document/ → the document with its `_id`; DocumentExistsError on a duplicate. A body
   * DocumentCreateDto refuses is not sent: BadRequestError with the server's message.
   */
  async register(input: DocumentInput): Promise<DocumentView> {
    return documentView((await this.http.request<DocumentView>('POST', '/DANE/document/', { body: input, check: BODY_CHECKS.document })).body);
  }

  /**
   * POST /DANE/documents/ — one request; per-element outcome. See DaneClient.registerMany for
   * chunking. Elements DocumentCreateDto refuses are not sent: they are reported in `failed` as the
   * server reports them (index in `inputs`, `invalid`, the server's message); when no element is
   * left, nothing is sent at all.
   */
  async registerMany(inputs: readonly DocumentInput[]): Promise<DocumentBulkAnswer> {
    const refused: DocumentFailureView[] = [];
    const sent: { index: number; element: unknown }[] = [];
    inputs.forEach((input, index) => {
      // JSON strings encoding a document are parsed and judged by the server.
      const json = typeof input === 'string' ? undefined : JSON.stringify(input ?? null);
      const problem = json === undefined ? undefined : bodyProblem(BODY_CHECKS.document, json);
      if (problem === undefined) sent.push({ index, element: input });
      else refused.push({ index, document: null, invalid: JSON.parse(json!), error: problem });
    });
    if (sent.length === 0) return { success: [], failed: refused };
    const body = (
      await this.http.post<DocumentBulkAnswer>(
        '/DANE/documents/',
        sent.map((s) => s.element),
      )
    ).body;
    const failed = [...refused, ...(body?.failed ?? []).map((f) => ({ ...f, index: sent[f.index]?.index ?? f.index }))].sort((a, b) => a.index - b.index);
    return { success: (body?.success ?? []).map(documentView), failed };
  }

  async get(id: string): Promise<DocumentView> {
    return documentView((await this.http.get<DocumentView>(`/DANE/document/${seg(id)}`)).body);
  }

  /** GET /DANE/documents/?doc=a,b — NotFoundError when any id is unknown. Python `to_json` form. */
  async getMany(ids: readonly string[]): Promise<DocumentView[]> {
    if (ids.length === 0) return [];
    return (await this.http.get<DocumentView[]>('/DANE/documents/', { doc: ids.join(',') })).body.map(documentView);
  }

  /** Deletes the document with its tasks and results. */
  async delete(id: string): Promise<void> {
    await this.http.delete(`/DANE/document/${seg(id)}`);
  }

  /** Deletes those that exist; answers how many did. */
  async deleteMany(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.http.delete('/DANE/documents/', { docs: ids.join(',') });
    return Number(res.headers.get('x-deleted-count') ?? 0);
  }

  tasks(id: string): PagedQuery<TaskView> {
    return new PagedQuery(async (page, size) => pageFromHeaders(await this.http.get<TaskView[]>(`/DANE/document/${seg(id)}/tasks`, { page, size }), page, size));
  }

  search(query: DocumentSearchQuery = {}): PagedQuery<DocumentView> {
    return new PagedQuery(async (page, size) => {
      const res = await this.http.get<Record<string, unknown>>('/DANE/search/document/', { target_id: query.targetId ?? '*', creator_id: query.creatorId ?? '*', page, size });
      const found = pageFromBody<DocumentView>(res.body, 'hits', page, size);
      return { ...found, items: found.items.map(documentView) };
    });
  }

  /** Documents of one creator (a creator id serves as a batch id, docs/protocol.md, Creator and search routes). */
  ofCreator(creatorId: string): PagedQuery<DocumentView> {
    return new PagedQuery(async (page, size) => {
      const found = pageFromHeaders(await this.http.get<DocumentView[]>(`/DANE/creator/${seg(creatorId)}/docs`, { page, size }), page, size);
      return { ...found, items: found.items.map(documentView) };
    });
  }
}
