import { BadRequestError } from '../errors/bad-request-error';
import { errorForResponse } from '../errors/error-for-response';
import { DaneApiError } from '../errors/dane-api-error';
import { ServerUnreachableError } from '../errors/server-unreachable-error';
import { normaliseBaseUrl } from './base-url';
import { BodyCheck, bodyProblem } from './body-checks';
import { Query, queryString } from './query-string';

export interface TransportOptions {
  /** Server root or API URL: `http://localhost:5500`, `http://localhost:5500/DANE/`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Per call; default 30 s. */
  timeoutMs?: number;
}

export interface RequestOptions {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /**
   * The DTO check the API runs on this route's body (see BODY_CHECKS). A body it refuses is not
   * sent: the call throws the BadRequestError (400) the server would answer, with its message.
   */
  check?: BodyCheck;
  /** Non-2xx statuses that still carry an answer rather than an error (`/ready` answers 503 with a body). */
  answerStatuses?: readonly number[];
}

/** A 2xx answer: the parsed JSON body (undefined when empty) and the headers (paging facts). */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The one place that speaks HTTP: global fetch, JSON both ways, the bearer token, and every
 * failure turned into a typed DaneApiError carrying the server's status and message.
 */
export class HttpTransport {
  readonly baseUrl: string;
  private readonly token?: string;
  private readonly timeoutMs: number;

  constructor(options: TransportOptions) {
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    this.token = options.token || undefined;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  url(path: string, query?: Query): string {
    return this.baseUrl + path + queryString(query);
  }

  get<T>(path: string, query?: Query): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, { query });
  }

  post<T>(path: string, body: unknown, query?: Query): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { body, query });
  }

  delete<T>(path: string, query?: Query): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, { query });
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = this.url(path, options.query);
    const json = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (options.check && json !== undefined) {
      const problem = bodyProblem(options.check, json);
      if (problem !== undefined) throw new BadRequestError(problem, { method, url, status: 400 });
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (json !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: json,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ServerUnreachableError(this.baseUrl, networkReason(err, this.timeoutMs), { method, url });
    }
    const text = await res.text();
    if (!res.ok && !options.answerStatuses?.includes(res.status)) throw errorForResponse(serverMessage(text, res), { method, url, status: res.status });
    return { status: res.status, headers: res.headers, body: parseBody<T>(text, { method, url, status: res.status }) };
  }
}

function parseBody<T>(text: string, call: { method: string; url: string; status: number }): T {
  if (text.trim() === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DaneApiError(`The server answered ${call.method} ${call.url} with a body that is not JSON: ${text.slice(0, 120)}`, call);
  }
}

/** `{"message"}` of the DANE API (docs/protocol.md, REST API); else the start of the body; else the status line. */
function serverMessage(text: string, res: Response): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body?.message === 'string' && body.message !== '') return body.message;
  } catch {
    /* not JSON: fall through to the raw text */
  }
  const raw = text.trim().slice(0, 200);
  return raw || `HTTP ${res.status} ${res.statusText}`.trim();
}

/** undici wraps the socket error: `TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })`. */
function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
