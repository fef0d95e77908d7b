import { taskId, withStringIds, type DaneDocument, type DaneConfig, type TaskClaimView, type TaskOutcomeBody } from '@dane/protocol';

/** Page size of the list reads (the API's maximum). */
const PAGE_SIZE = 1000;

/** A task as the API answers it (docs/protocol.md, Task: the view, `state` a string). */
export interface TaskView {
  _id: string;
  key: string;
  state: string | number;
  msg: string | null;
  priority: number;
  args: Record<string, unknown>;
  document_id: string;
  depends_on?: string[];
  attempt?: number;
  created_at: string | null;
  updated_at: string | null;
}

type TaskClaimBody = TaskClaimView<TaskView, DaneDocument>;

/** What `POST task/claim` answered: the claim, or why not with the task as it is now (null: none). */
export type TaskClaimAnswer = ({ claimed: true } & TaskClaimBody) | { claimed: false; reason: string; task: TaskView | null };

export type { TaskOutcomeBody } from '@dane/protocol';

/** An API call that failed: `status` is the HTTP status, undefined when the API could not be reached. */
export class DaneApiError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    /** The API's own `message`, when it answered one. */
    readonly apiMessage?: string,
  ) {
    super(message);
    this.name = 'DaneApiError';
  }
}

export interface ResultRecord {
  _id?: string;
  task_id?: string;
  task_key?: string;
  generator?: Record<string, unknown>;
  payload: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface ResultList {
  total: number;
  results: ResultRecord[];
}

export interface DaneApiClientOptions {
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** An API key with the read role, sent as `Authorization: Bearer <token>`; none: no header. */
  token?: string | null;
}

/**
 * The API key a worker sends: env DANE_TOKEN, else DANE.API_TOKEN of the config (which env
 * DANE_DANE__API_TOKEN sets). null: none configured (an API with AUTH.ENABLED false, or ANONYMOUS_READ).
 */
export function apiTokenOf(config: DaneConfig, env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env.DANE_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const configured = config.DANE?.API_TOKEN;
  const token = configured === null || configured === undefined ? '' : String(configured).trim();
  return token || null;
}

/** The client a worker uses: DANE.API_URL (or `apiUrl`) and the token of apiTokenOf. */
export function apiClientFor(config: DaneConfig, apiUrl?: string, env: NodeJS.ProcessEnv = process.env): DaneApiClient {
  return new DaneApiClient(apiUrl ?? String(config.DANE.API_URL), { token: apiTokenOf(config, env) });
}

/**
 * The few API calls a worker needs (principle 7: everything comes from the message or the API).
 * `baseUrl` is DANE.API_URL, e.g. `http://localhost:5500/DANE/`. With a token, every call sends
 * `Authorization: Bearer <token>`; the token never appears in an error message.
 */
export class DaneApiClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly token: string | null;

  /** `options` may still be the timeout in ms alone (the earlier signature). */
  constructor(baseUrl: string, options: DaneApiClientOptions | number = {}) {
    if (typeof options === 'number') options = { timeoutMs: options };
    this.baseUrl = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.token = options.token?.trim() || null;
  }

  /** Whether calls carry an API key. */
  get hasToken(): boolean {
    return this.token !== null;
  }

  /** GET document/<id>; a number or boolean target.id / creator.id of an older server read as its Python `str()` (withStringIds). */
  async getDocument(id: string): Promise<DaneDocument> {
    return withStringIds((await this.get(`document/${encodeURIComponent(id)}`)) as DaneDocument);
  }

  /** GET results/?document_id=<id>&task_key=<KEY> → {total, results: [{payload, …}]} */
  async getResults(documentId: string, taskKey: string): Promise<ResultList> {
    const query = new URLSearchParams({ document_id: documentId, task_key: taskKey });
    const body = (await this.get(`results/?${query}`)) as Partial<ResultList>;
    return { total: Number(body?.total ?? 0), results: Array.isArray(body?.results) ? body.results : [] };
  }

  /** GET task/<id> as its view (state a string), or null when there is no such task. */
  async findTask(id: string): Promise<TaskView | null> {
    try {
      return (await this.get(`task/${encodeURIComponent(id)}`)) as TaskView;
    } catch (e) {
      if (e instanceof DaneApiError && e.status === 404) return null;
      throw e;
    }
  }

  /** GET document/<id>/tasks: every task of the document (views). */
  async tasksOfDocument(documentId: string): Promise<TaskView[]> {
    return (await this.pages(`document/${encodeURIComponent(documentId)}/tasks`, new URLSearchParams(), Infinity, (b) => b as TaskView[])).items;
  }

  /** GET creator/<id>/docs, every page (or the first `limit` documents). */
  async documentsOfCreator(creatorId: string, limit = Infinity): Promise<DaneDocument[]> {
    return (await this.pages(`creator/${encodeURIComponent(creatorId)}/docs`, new URLSearchParams(), limit, (b) => b as DaneDocument[])).items.map(withStringIds);
  }

  /** GET search/document/?target_id=&creator_id= (wildcards `*`, `?`), every page (or the first `limit` hits). */
  async searchDocuments(filters: Record<string, string>, limit = Infinity): Promise<DaneDocument[]> {
    const query = new URLSearchParams(filters);
    return (await this.pages('search/document/', query, limit, (b) => ((b as { hits?: DaneDocument[] })?.hits ?? []) as DaneDocument[])).items.map(withStringIds);
  }

  /**
   * POST task/claim: the task of `key` on the document — assigned when missing — claimed for this batch run
   * (docs/protocol.md, Batch runs). A 409 answers `{claimed: false}` with the task as it is now (done, in flight,
   * waiting) and the server's reason.
   */
  async claimTask(documentId: string, key: string, force = false): Promise<TaskClaimAnswer> {
    try {
      const body = (await this.send('POST', 'task/claim', { document_id: documentId, key, force })) as TaskClaimBody;
      return { claimed: true, ...body, document: withStringIds(body.document) };
    } catch (e) {
      if (!(e instanceof DaneApiError) || e.status !== 409) throw e;
      return { claimed: false, reason: e.apiMessage ?? e.message, task: await this.findTask(taskId(documentId, key.toUpperCase())) };
    }
  }

  /** POST task/claim/<id>/heartbeat: false when the task is no longer in flight at that attempt (409). */
  async heartbeatTask(id: string, attempt: number, message?: string): Promise<boolean> {
    try {
      await this.send('POST', `task/claim/${encodeURIComponent(id)}/heartbeat`, message === undefined ? { attempt } : { attempt, message });
      return true;
    } catch (e) {
      if (e instanceof DaneApiError && e.status === 409) return false;
      throw e;
    }
  }

  /** POST task/claim/<id>/outcome: the claimed attempt's outcome, applied as a reply; answers the task as stored. */
  async reportOutcome(id: string, attempt: number, outcome: TaskOutcomeBody): Promise<TaskView> {
    return (await this.send('POST', `task/claim/${encodeURIComponent(id)}/outcome`, { attempt, ...outcome })) as TaskView;
  }

  /** POST task/<id>/result {generator, payload}: the stored result's view. */
  async saveResult(id: string, generator: Record<string, unknown>, payload: Record<string, unknown>): Promise<ResultRecord> {
    return (await this.send('POST', `task/${encodeURIComponent(id)}/result`, { generator, payload })) as ResultRecord;
  }

  /** Page by page (size 1000) until a short page, or `limit` items. */
  private async pages<T>(path: string, query: URLSearchParams, limit: number, itemsOf: (body: unknown) => T[]): Promise<{ items: T[] }> {
    const items: T[] = [];
    for (let page = 1; items.length < limit; page++) {
      query.set('page', String(page));
      query.set('size', String(PAGE_SIZE));
      const got = itemsOf(await this.get(`${path}?${query}`));
      items.push(...got.slice(0, limit - items.length));
      if (got.length < PAGE_SIZE) break;
    }
    return { items };
  }

  private get(path: string): Promise<unknown> {
    return this.send('GET', path);
  }

  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = this.baseUrl + path;
    let res: Response;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (this.token) headers.authorization = `Bearer ${this.token}`;
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e);
      throw new DaneApiError(`Cannot reach the DANE API at ${url}: ${cause}`, url);
    }
    const text = await res.text();
    if (!res.ok) {
      const fix = res.status === 401 || res.status === 403 ? `; ${this.authFix(res.status, method === 'GET' ? 'read' : 'operate')}` : '';
      const message = apiMessage(text);
      throw new DaneApiError(`DANE API answered ${res.status} for ${method} ${url}: ${message}${fix}`, url, res.status, message);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new DaneApiError(`DANE API answered ${method} ${url} with a body that is not JSON`, url, res.status);
    }
  }

  /** What to change when the API refused the key (or its absence). */
  private authFix(status: number, role: 'read' | 'operate'): string {
    const fix = `set DANE_TOKEN to a key with the ${role} role (or DANE.API_TOKEN in the config)`;
    if (status === 403) return fix;
    if (!this.token) return `no API key was sent: ${fix}`;
    return `the API key sent was refused (unknown or revoked): ${fix}`;
  }
}

function apiMessage(text: string): string {
  try {
    const body = JSON.parse(text);
    if (typeof body?.message === 'string') return body.message;
  } catch {
    /* not JSON: use the text */
  }
  return text.slice(0, 200) || '(empty body)';
}
