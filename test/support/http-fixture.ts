import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from './net';

export interface HttpFixture {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Requests seen so far, as "METHOD /path". */
  requests: string[];
  close(): Promise<void>;
}

/** A real HTTP server on a free local port (no mocking library): tests serve documents, media, results. */
export async function startHttpFixture(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<HttpFixture> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    Promise.resolve(handler(req, res)).catch((e) => {
      res.statusCode = 500;
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A URL on a local port nothing listens on (a free port): connection refused. */
export async function unreachableUrl(path = '/DANE/'): Promise<string> {
  return `http://127.0.0.1:${await freePort()}${path}`;
}
