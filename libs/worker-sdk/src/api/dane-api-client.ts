import type { DaneDocument } from '@dane/core/model';

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

/**
 * The few API calls a worker needs (principle 7: everything comes from the message or the API).
 * `baseUrl` is DANE.API_URL, e.g. `http://localhost:5500/DANE/`.
 */
export class DaneApiClient {
  readonly baseUrl: string;

  constructor(baseUrl: string, private readonly timeoutMs = 30_000) {
    this.baseUrl = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  }

  /** GET document/<id> */
  async getDocument(id: string): Promise<DaneDocument> {
    return (await this.get(`document/${encodeURIComponent(id)}`)) as DaneDocument;
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
      res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e);
      throw new DaneApiError(`Cannot reach the DANE API at ${url}: ${cause}`, url);
    }
    const text = await res.text();
    if (!res.ok) {
      throw new DaneApiError(`DANE API answered ${res.status} for GET ${url}: ${apiMessage(text)}`, url, res.status);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new DaneApiError(`DANE API answered GET ${url} with a body that is not JSON`, url, res.status);
    }
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
