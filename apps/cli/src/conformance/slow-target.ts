import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A target.url a worker spends a while on: an HTTP server on the loopback that answers every request
 * (GET or HEAD) only after `holdMs`. A request arriving is the sign that the worker is inside the task,
 * the moment to signal it.
 */
export class SlowTarget {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly waiting = new Map<string, () => void>();
  private readonly hits = new Set<string>();
  private port = 0;

  constructor(private readonly holdMs: number) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const token = (req.url ?? '').split('/').pop()?.split('.')[0] ?? '';
      this.hits.add(token);
      this.waiting.get(token)?.();
      const body = 'DANE conformance: a slow target\n';
      const timer = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      }, this.holdMs);
      res.on('close', () => clearTimeout(timer));
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  url(token: string): string {
    return `http://127.0.0.1:${this.port}/conformance/${token}.txt`;
  }

  /** Resolves when the worker asks for the token's URL. */
  reached(token: string): Promise<void> {
    if (this.hits.has(token)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(token, resolve));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
