import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** One HTTP request as Elasticsearch received it. NDJSON bodies (`_bulk`) are a list of objects. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface CannedReply {
  status?: number;
  body?: unknown;
  /** Answer this late (ms): longer than the client's request timeout, the request is applied but the client times out. */
  delayMs?: number;
}

export type Responder = CannedReply | ((req: RecordedRequest) => CannedReply);

interface Route {
  method: string;
  path: string | RegExp;
  reply: Responder;
  times: number;
}

/** What a 7.17 node answers on `GET /`; the client's product check reads it (and the header below). */
const NODE_INFO = {
  name: 'es01',
  cluster_name: 'dane-test',
  cluster_uuid: 'jJ8a9LhaRWmJm5Vd0mJ0dQ',
  version: {
    number: '7.17.10',
    build_flavor: 'default',
    build_type: 'docker',
    build_hash: 'fecd68e3150eda0c307ab9a9d7557f5d5fd71349',
    build_date: '2023-04-23T05:33:18.138275597Z',
    build_snapshot: false,
    lucene_version: '8.11.1',
    minimum_wire_compatibility_version: '6.8.0',
    minimum_index_compatibility_version: '6.0.0-beta1',
  },
  tagline: 'You Know, for Search',
};

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (contentType?.includes('ndjson')) {
    return raw
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
  }
  return JSON.parse(raw);
}

/**
 * A real HTTP server on 127.0.0.1 standing in for Elasticsearch 7.17 on the wire: it records every request
 * the adapter sends through the client's transport and answers with canned 7.17 responses (see
 * es-replies.ts), so tests can assert the exact requests of the index layout
 * (docs/protocol.md, Elasticsearch layout) without a cluster. Unexpected requests get a 500 naming them,
 * which fails the test that caused them.
 */
export class RecordingElasticsearch {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.on('GET', '/', { body: NODE_INFO });
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Answers matching requests `times` times. Counted routes answer first, in the order they were
   * given; among standing routes the latest wins, so a test can override a default.
   */
  on(method: string, path: string | RegExp, reply: Responder, times = Infinity): this {
    this.routes.push({ method, path, reply, times });
    return this;
  }

  once(method: string, path: string | RegExp, reply: Responder): this {
    return this.on(method, path, reply, 1);
  }

  /** The requests the adapter made, without the client's product check. */
  get calls(): RecordedRequest[] {
    return this.requests.filter((r) => !(r.method === 'GET' && r.path === '/'));
  }

  /** Forgets recorded requests and all routes but the node info. */
  reset(): void {
    this.requests.length = 0;
    this.routes.splice(1);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: Object.fromEntries(url.searchParams.entries()),
        body: parseBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']),
        headers: req.headers,
      };
      this.requests.push(recorded);
      const reply = this.replyTo(recorded);
      const payload = reply.body === undefined || recorded.method === 'HEAD' ? '' : JSON.stringify(reply.body);
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, {
          'X-Elastic-Product': 'Elasticsearch',
          'content-type': 'application/json; charset=UTF-8',
          'content-length': Buffer.byteLength(payload),
        });
        res.end(payload);
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  }

  /** Counted routes first, in the order given (a scripted sequence); then standing routes, latest first. */
  private replyTo(req: RecordedRequest): CannedReply {
    const matches = (route: Route) => route.method === req.method && route.times > 0 && (typeof route.path === 'string' ? route.path === req.path : route.path.test(req.path));
    const route = this.routes.find((r) => r.times !== Infinity && matches(r)) ?? [...this.routes].reverse().find(matches);
    if (route) {
      route.times--;
      return typeof route.reply === 'function' ? route.reply(req) : route.reply;
    }
    return { status: 500, body: { error: { type: 'unexpected_request', reason: `no canned answer for ${req.method} ${req.path}` }, status: 500 } };
  }
}
