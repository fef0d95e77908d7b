import { withStringIds, type DaneDocument, type DaneConfig } from '@dane/protocol';

/** An API call that failed: `status` is the HTTP status, undefined when the API could not be reached. */
export class DaneApiError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
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

  private async get(path: string): Promise<unknown> {
    const url = this.baseUrl + path;
    let res: Response;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.token) headers.authorization = `Bearer ${this.token}`;
      res = await fetch(url, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e);
      throw new DaneApiError(`Cannot reach the DANE API at ${url}: ${cause}`, url);
    }
    const text = await res.text();
    if (!res.ok) {
      const fix = res.status === 401 || res.status === 403 ? `; ${this.authFix(res.status)}` : '';
      throw new DaneApiError(`DANE API answered ${res.status} for GET ${url}: ${apiMessage(text)}${fix}`, url, res.status);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new DaneApiError(`DANE API answered GET ${url} with a body that is not JSON`, url, res.status);
    }
  }

  /** What to change when the API refused the key (or its absence). */
  private authFix(status: number): string {
    const fix = 'set DANE_TOKEN to a key with the read role (or DANE.API_TOKEN in the config)';
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
