import { fileURLToPath } from 'node:url';
import { TaskState, type WorkerOutcome } from '@dane/worker';

/** Where a document's `target.url` points: a web resource or a file on this machine. */
export type MediaSource = { kind: 'http'; url: string } | { kind: 'file'; path: string; candidates: string[] } | { kind: 'unsupported'; scheme: string };

/**
 * http(s) URLs are fetched; `file://` URLs and plain paths are local files. target.url is requoted by the
 * server (a space becomes %20; docs/protocol.md, URL normalisation), so a plain path is also tried decoded.
 */
export function mediaSource(url: string): MediaSource {
  if (/^https?:\/\//i.test(url)) return { kind: 'http', url };
  if (/^file:/i.test(url)) {
    const path = fileURLToPath(url);
    return { kind: 'file', path, candidates: [path] };
  }
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(url)?.[1];
  if (scheme) return { kind: 'unsupported', scheme };
  let decoded = url;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    /* keep the raw path */
  }
  return { kind: 'file', path: url, candidates: decoded === url ? [url] : [url, decoded] };
}

/** DANE states for what a source answered (docs/protocol.md, State table): 404 not found, 403 access denied, 503 remote error. */
export function outcomeForHttpStatus(status: number, url: string): WorkerOutcome {
  if (status === 404 || status === 410) return { state: TaskState.NOT_FOUND, message: 'No file found at source_url' };
  if (status === 401 || status === 403) return { state: TaskState.ACCESS_DENIED, message: `Access denied to ${url} (HTTP ${status})` };
  return { state: TaskState.ERROR_PROXY, message: `Source ${url} answered HTTP ${status}` };
}

export function outcomeForFileError(e: NodeJS.ErrnoException, path: string): WorkerOutcome | undefined {
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR' || e.code === 'EISDIR') return { state: TaskState.NOT_FOUND, message: 'No file found at source_url' };
  if (e.code === 'EACCES' || e.code === 'EPERM') return { state: TaskState.ACCESS_DENIED, message: `Access denied to ${path}` };
  return undefined;
}

export function unreachable(url: string, e: unknown): WorkerOutcome {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  return { state: TaskState.ERROR_PROXY, message: `Cannot reach ${url}: ${cause?.code ?? cause?.message ?? (e as Error)?.message ?? e}` };
}

export function unsupportedScheme(scheme: string): WorkerOutcome {
  return { state: TaskState.BAD_REQUEST, message: `Unsupported URL scheme ${scheme}:// (use http(s), file:// or a local path)` };
}
